// Counter-based random streams: one independent, reproducible stream per (seed, purpose, agent, step).
//
// There is no shared generator: any agent in any phase on any thread builds its own stream from the
// tuple, so results never depend on thread count or scheduling order (ENGINEERING.md §4). The key is a
// hash of the whole tuple (never an XOR of raw ids, which makes seeds alias each other); output i of a
// stream is a SplitMix64 finalisation of key + (i + 1) * golden-gamma. Streams model Boost's
// UniformRandomBitGenerator, so Boost.Random distributions draw from them directly.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

namespace sahelsim::core {

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// A stable 64-bit id for a named purpose ("citizen.move", ...): FNV-1a of the name, then mixed.
/// constexpr, so purposes are resolved at compile time, never looked up in hot loops.
constexpr std::uint64_t purpose_id(std::string_view name) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

/// Hash of the tuple (seed, purpose, agent, step): each word is absorbed through the mixer in turn,
/// so (seed 2, agent 3) and (seed 3, agent 2) give unrelated keys.
/// The key is built in two parts so that StreamFamily can reuse the first for many agents.
constexpr std::uint64_t stream_key_prefix(std::uint64_t seed, std::uint64_t purpose) noexcept {
  return mix64(mix64(seed + 0x9e3779b97f4a7c15ULL) ^ mix64(purpose + 0x632be59bd9b4e019ULL));
}
constexpr std::uint64_t stream_key_step_word(std::uint64_t step) noexcept {
  return mix64(step + 0xd1b54a32d192ed03ULL);
}
constexpr std::uint64_t stream_key_from(std::uint64_t prefix, std::uint64_t agent,
                                        std::uint64_t step_word) noexcept {
  return mix64(mix64(prefix ^ mix64(agent + 0x8cb92ba72f3d8dd7ULL)) ^ step_word);
}

constexpr std::uint64_t stream_key(std::uint64_t seed, std::uint64_t purpose, std::uint64_t agent,
                                   std::uint64_t step) noexcept {
  return stream_key_from(stream_key_prefix(seed, purpose), agent, stream_key_step_word(step));
}

/// Uniform integer in [0, n) from a 64-bit engine, unbiased (Lemire's multiply-and-reject). n must
/// be > 0. Shared by RandomStream and by test engines that script their draws.
template <class Engine>
std::uint64_t uniform_below(Engine& engine, std::uint64_t n) noexcept {
  unsigned __int128 m = static_cast<unsigned __int128>(engine()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(engine()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

class RandomStream {
 public:
  using result_type = std::uint64_t;

  constexpr RandomStream(std::uint64_t seed, std::uint64_t purpose, std::uint64_t agent,
                         std::uint64_t step) noexcept
      : key_(stream_key(seed, purpose, agent, step)) {}

  /// A stream with key 0, for arrays of streams that are assigned before use.
  constexpr RandomStream() noexcept : key_(0) {}

  /// The stream whose key is `key` (= stream_key(...)), as StreamFamily builds them.
  static constexpr RandomStream from_key(std::uint64_t key) noexcept { return RandomStream(key); }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  constexpr result_type operator()() noexcept {
    ++counter_;
    return mix64(key_ + counter_ * 0x9e3779b97f4a7c15ULL);
  }

  /// Uniform double in [0, 1) with 53 random bits (fast path for hot loops; Boost's
  /// uniform_01 / uniform_real_distribution give the same distribution).
  constexpr double uniform01() noexcept {
    return static_cast<double>((*this)() >> 11) * 0x1.0p-53;
  }

  /// Uniform integer in [0, n), unbiased. n must be > 0.
  std::uint64_t below(std::uint64_t n) noexcept { return uniform_below(*this, n); }

  /// The raw draw that the `ahead`-th next call would return, without taking it: draws are
  /// independent functions of the counter, so batched code can evaluate several at once.
  constexpr result_type peek(std::uint64_t ahead = 1) const noexcept {
    return mix64(key_ + (counter_ + ahead) * 0x9e3779b97f4a7c15ULL);
  }
  /// Skips `n` draws (as n calls whose results are ignored).
  constexpr void discard(std::uint64_t n) noexcept { counter_ += n; }

  /// Number of raw draws taken so far (for tests and checkpoints).
  constexpr std::uint64_t draws() const noexcept { return counter_; }

 private:
  explicit constexpr RandomStream(std::uint64_t key) noexcept : key_(key) {}

  std::uint64_t key_;
  std::uint64_t counter_ = 0;
};

/// The streams of one (seed, purpose, step) for many agents: family.stream(agent) is the same stream
/// as RandomStream(seed, purpose, agent, step), but hashes only the agent's word (3 mixes instead
/// of 7), for phases that build one stream per agent.
class StreamFamily {
 public:
  constexpr StreamFamily(std::uint64_t seed, std::uint64_t purpose, std::uint64_t step) noexcept
      : prefix_(stream_key_prefix(seed, purpose)), step_word_(stream_key_step_word(step)) {}

  constexpr RandomStream stream(std::uint64_t agent) const noexcept {
    return RandomStream::from_key(stream_key_from(prefix_, agent, step_word_));
  }

 private:
  std::uint64_t prefix_;
  std::uint64_t step_word_;
};

}  // namespace sahelsim::core
