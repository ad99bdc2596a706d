// Random draws of many streams computed side by side: the moves' site picks (propose_moves in
// epstein_model.cpp) and the cops' reservoir picks. Draw c of a stream is mix64(key + c * kGamma)
// (core::RandomStream), so the draws of many streams and many tries do not depend on each other
// and are computed in loops the compiler vectorises. On x86-64 a clone for AVX-512 (x86-64-v4:
// 64-bit multiplies in vector registers) and one for AVX2 are chosen at run time, and where the CPU
// has AVX-512 a hand-written kernel runs the moves' tries; integer arithmetic gives the same bits
// on every path. (Both can be switched off from the build: -DSAHELSIM_VECTOR_CLONES= and
// -DSAHELSIM_NO_AVX512_KERNELS; set_vector_kernels switches the kernel off at run time.)
#pragma once

#include <cstddef>
#include <cstdint>

#include "sahelsim/core/random_stream.hpp"

#ifndef SAHELSIM_VECTOR_CLONES
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define SAHELSIM_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SAHELSIM_VECTOR_CLONES
#endif
#endif

namespace sahelsim::models::epstein {

constexpr std::uint64_t kGamma = 0x9e3779b97f4a7c15ULL;
constexpr std::size_t kMoveBatch = 128;  // movers whose tries are computed together
static_assert(kMoveBatch <= 256, "movers of a batch are numbered in bytes");
constexpr int kTriesPerRound = 4;        // tries computed per mover and round
constexpr int kMaxMoveTries = 32;        // random_empty_site's max_tries
static_assert(kMaxMoveTries % kTriesPerRound == 0, "rounds end at max_tries");

/// keys[i] = the stream key of agent agents[i] (as core::StreamFamily::stream).
void stream_keys(std::uint64_t prefix, std::uint64_t step_word, const std::uint32_t* agents, std::size_t n,
                 std::uint64_t* keys);

/// The outcome of one round of kTriesPerRound tries of a mover (try_round).
enum RoundResult : std::uint8_t {
  // 0 .. kTriesPerRound - 1: the first empty site came at that try
  kNoHit = kTriesPerRound,      // no empty site in this round's tries
  kExactPath = kTriesPerRound + 1  // a draw Lemire's method might reject, at or before the first hit
};

/// One round of tries for n movers: mover j (stream key keys[j], its vision's sites[j] sites from
/// index base[j] of `steps`, at index at[j] of `frame`, whose first `counter` draws are taken) tries
/// the sites picks t = uniform_below(draw counter + t + 1, sites[j]), t < kTriesPerRound, in the
/// frame of empty cells. result[j] is a RoundResult; after a hit at try t, pick[j] = base[j] + that
/// pick (the site's index in `steps`) and next_draw[j] = draw counter + t + 2 (the priority's).
struct RoundOutput {
  std::uint8_t* result;
  std::int32_t* pick;
  std::uint64_t* next_draw;
};

/// Frame lookups read 4 bytes at the site: `frame` needs 3 readable bytes after its last site.
void try_round(std::size_t n, const std::uint64_t* keys, const std::uint32_t* sites, const std::int32_t* at,
               const std::int32_t* base, std::uint64_t counter, const std::int32_t* steps, const std::uint8_t* frame,
               RoundOutput out);

/// Reservoir sampling's draws (agents::ReservoirRank) computed side by side: the last seen in
/// [1, matches] whose draw stream.peek(seen) gives uniform_below(seen) == 0, i.e. (draw * seen) >> 64
/// == 0; *maybe_rejected != 0 when a draw is one that Lemire's method might reject (low 64 bits of
/// draw * seen < seen), and then the result is not to be used.
std::uint64_t last_zero_pick(const core::RandomStream& stream, std::uint64_t matches, std::uint64_t* maybe_rejected);

/// agents::ReservoirRank for RandomStream, with the draws computed by last_zero_pick.
struct BatchedReservoirRank {
  std::uint64_t operator()(core::RandomStream& stream, std::uint64_t matches) const;
};

/// Where the CPU has AVX-512, the moves' tries run in a vector kernel that gives the same bits as
/// the portable code. set_vector_kernels(false) makes every model of the process use the portable
/// code (tests compare the two; call it while no model is stepping).
void set_vector_kernels(bool enabled);
/// Whether the vector kernel runs (the CPU has AVX-512 and it is not switched off).
bool vector_kernels_active();

}  // namespace sahelsim::models::epstein
