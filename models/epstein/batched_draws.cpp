#include "models/epstein/batched_draws.hpp"

#include <algorithm>
#include <atomic>

#if defined(__GNUC__) && defined(__x86_64__) && !defined(SAHELSIM_NO_AVX512_KERNELS)
#include <immintrin.h>
#endif

#include "agents/common/random_site_where.hpp"

namespace sahelsim::models::epstein {

using core::RandomStream;

static_assert(RandomStream::from_key(12345).peek(3) == core::mix64(12345 + 3 * kGamma),
              "draw c of a stream is mix64(key + c * kGamma)");

SAHELSIM_VECTOR_CLONES
void stream_keys(std::uint64_t prefix, std::uint64_t step_word, const std::uint32_t* agents, std::size_t n,
                 std::uint64_t* keys) {
  for (std::size_t i = 0; i < n; ++i) keys[i] = core::stream_key_from(prefix, agents[i], step_word);
}

namespace {

/// For n streams of keys[j] whose first `counter` draws are taken: draws[t][j] = their draw
/// counter + t + 1 (t < kTriesPerRound + 1), and for the tries t < kTriesPerRound the index below
/// sizes[j] that uniform_below (Lemire) gives, picks[t][j] = (draw * size) >> 64, with bit t of
/// rejected[j] set when that draw might be rejected (low 64 bits of draw * size < size).
SAHELSIM_VECTOR_CLONES
void site_tries(const std::uint64_t* keys, const std::uint32_t* sizes, std::size_t n, std::uint64_t counter,
                std::uint64_t (*draws)[kMoveBatch], std::uint32_t (*picks)[kMoveBatch], std::uint8_t* rejected) {
  for (int t = 0; t <= kTriesPerRound; ++t) {
    const std::uint64_t step = (counter + std::uint64_t(t) + 1) * kGamma;
    for (std::size_t j = 0; j < n; ++j) draws[t][j] = core::mix64(keys[j] + step);
  }
  for (std::size_t j = 0; j < n; ++j) rejected[j] = 0;
  for (int t = 0; t < kTriesPerRound; ++t) {
    for (std::size_t j = 0; j < n; ++j) {
      // The 128-bit product draw * size in 32-bit halves (size < 2^32), so that it vectorises.
      const std::uint64_t d = draws[t][j], size = sizes[j];
      const std::uint64_t high = ((d >> 32) * size + (((d & 0xffffffffULL) * size) >> 32)) >> 32;
      picks[t][j] = static_cast<std::uint32_t>(high);
      rejected[j] |= static_cast<std::uint8_t>(static_cast<unsigned>(d * size < size) << t);
    }
  }
}

void try_round_plain(std::size_t n, const std::uint64_t* keys, const std::uint32_t* sites, const std::int32_t* at,
                     const std::int32_t* base, std::uint64_t counter, const std::int32_t* steps,
                     const std::uint8_t* frame, RoundOutput out) {
  std::uint64_t draws[kTriesPerRound + 1][kMoveBatch];
  std::uint32_t picks[kTriesPerRound][kMoveBatch];
  std::uint8_t rejected[kMoveBatch];
  for (std::size_t first = 0; first < n; first += kMoveBatch) {
    const std::size_t m = std::min(kMoveBatch, n - first);
    site_tries(keys + first, sites + first, m, counter, draws, picks, rejected);
    for (std::size_t j = 0; j < m; ++j) {
      const std::size_t i = first + j;
      unsigned hits = 0;
      for (int t = 0; t < kTriesPerRound; ++t)
        hits |= unsigned(frame[at[i] + steps[base[i] + std::int32_t(picks[t][j])]]) << t;
      const unsigned hit = unsigned(__builtin_ctz(hits | (1u << kTriesPerRound)));
      if (rejected[j] & ((2u << hit) - 1u)) {
        out.result[i] = kExactPath;
      } else {
        out.result[i] = std::uint8_t(hit);
        if (hit < unsigned(kTriesPerRound)) {
          out.pick[i] = base[i] + std::int32_t(picks[hit][j]);
          out.next_draw[i] = draws[hit + 1][j];
        }
      }
    }
  }
}

#if defined(__GNUC__) && defined(__x86_64__) && !defined(SAHELSIM_NO_AVX512_KERNELS)
#define SAHELSIM_HAVE_AVX512_KERNELS 1
#define SAHELSIM_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))
// GCC 12 warns about the "undefined" registers inside its own AVX-512 intrinsics (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

SAHELSIM_AVX512 inline __m512i mix64_avx512(__m512i z) {
  z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), _mm512_set1_epi64(std::int64_t(0xbf58476d1ce4e5b9ULL)));
  z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), _mm512_set1_epi64(std::int64_t(0x94d049bb133111ebULL)));
  return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}

/// try_round_plain for 8 movers at a time: the draws in 64-bit lanes, the sites gathered.
SAHELSIM_AVX512
void try_round_avx512(std::size_t n, const std::uint64_t* keys, const std::uint32_t* sites, const std::int32_t* at,
                      const std::int32_t* base, std::uint64_t counter, const std::int32_t* steps,
                      const std::uint8_t* frame, RoundOutput out) {
  const __m256i low_byte = _mm256_set1_epi32(0xff);
  for (std::size_t j = 0; j < n; j += 8) {
    const __mmask8 lanes = n - j >= 8 ? __mmask8(0xff) : __mmask8((1u << (n - j)) - 1u);
    const __m512i key = _mm512_maskz_loadu_epi64(lanes, keys + j);
    const __m512i size = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(lanes, sites + j));
    const __m256i where = _mm256_maskz_loadu_epi32(lanes, at + j);
    const __m256i first_site = _mm256_maskz_loadu_epi32(lanes, base + j);
    __m512i draw[kTriesPerRound + 1];
    for (int t = 0; t <= kTriesPerRound; ++t)
      draw[t] = mix64_avx512(
          _mm512_add_epi64(key, _mm512_set1_epi64(std::int64_t((counter + std::uint64_t(t) + 1) * kGamma))));
    __mmask8 seen = 0, exact = 0;
    __m256i result = _mm256_set1_epi32(kNoHit), pick = _mm256_setzero_si256();
    __m512i next = _mm512_setzero_si512();
    for (int t = 0; t < kTriesPerRound; ++t) {
      // uniform_below's pick (draw * size) >> 64, in 32-bit halves (size < 2^32); a low half below
      // size might be rejected.
      const __m512i low = _mm512_mul_epu32(draw[t], size);
      const __m512i high = _mm512_mul_epu32(_mm512_srli_epi64(draw[t], 32), size);
      const __m512i k = _mm512_srli_epi64(_mm512_add_epi64(high, _mm512_srli_epi64(low, 32)), 32);
      const __mmask8 rejected = _mm512_mask_cmplt_epu64_mask(lanes, _mm512_mullo_epi64(draw[t], size), size);
      const __m256i index = _mm256_add_epi32(first_site, _mm512_cvtepi64_epi32(k));
      const __m256i step = _mm256_mmask_i32gather_epi32(_mm256_setzero_si256(), lanes, index, steps, 4);
      const __m256i word =
          _mm256_mmask_i32gather_epi32(_mm256_setzero_si256(), lanes, _mm256_add_epi32(where, step), frame, 1);
      const __mmask8 hit = _mm256_mask_test_epi32_mask(lanes, word, low_byte);
      exact |= rejected & __mmask8(~seen);
      const __mmask8 newly = hit & __mmask8(~seen);
      seen |= newly;
      result = _mm256_mask_mov_epi32(result, newly, _mm256_set1_epi32(t));
      pick = _mm256_mask_mov_epi32(pick, newly, index);
      next = _mm512_mask_mov_epi64(next, newly, draw[t + 1]);
    }
    result = _mm256_mask_mov_epi32(result, exact, _mm256_set1_epi32(kExactPath));
    _mm256_mask_cvtepi32_storeu_epi8(out.result + j, lanes, result);
    _mm256_mask_storeu_epi32(out.pick + j, lanes, pick);
    _mm512_mask_storeu_epi64(out.next_draw + j, lanes, next);
  }
}

#pragma GCC diagnostic pop

bool cpu_has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}
#endif

std::atomic<bool> vector_kernels_enabled{true};  // set_vector_kernels

/// Whether the AVX-512 kernels run: the CPU has AVX-512 and set_vector_kernels has not switched them off.
bool use_avx512_kernels() {
#ifdef SAHELSIM_HAVE_AVX512_KERNELS
  static const bool avx512 = cpu_has_avx512();
  return avx512 && vector_kernels_enabled.load(std::memory_order_relaxed);
#else
  return false;
#endif
}

}  // namespace

void try_round(std::size_t n, const std::uint64_t* keys, const std::uint32_t* sites, const std::int32_t* at,
               const std::int32_t* base, std::uint64_t counter, const std::int32_t* steps, const std::uint8_t* frame,
               RoundOutput out) {
#ifdef SAHELSIM_HAVE_AVX512_KERNELS
  if (use_avx512_kernels()) return try_round_avx512(n, keys, sites, at, base, counter, steps, frame, out);
#endif
  try_round_plain(n, keys, sites, at, base, counter, steps, frame, out);
}

SAHELSIM_VECTOR_CLONES
std::uint64_t last_zero_pick(const RandomStream& stream, std::uint64_t matches, std::uint64_t* maybe_rejected) {
  std::uint64_t rank = 0, rejected = 0;
  for (std::uint64_t seen = 1; seen <= matches; ++seen) {
    const std::uint64_t d = stream.peek(seen);
    const std::uint64_t high = ((d >> 32) * seen + (((d & 0xffffffffULL) * seen) >> 32)) >> 32;  // seen < 2^32
    rank = std::max(rank, high == 0 ? seen : std::uint64_t(0));
    rejected |= std::uint64_t(d * seen < seen);
  }
  *maybe_rejected = rejected;
  return rank;
}

std::uint64_t BatchedReservoirRank::operator()(RandomStream& stream, std::uint64_t matches) const {
  if (matches < 8 || matches >= (std::uint64_t(1) << 32)) return agents::ReservoirRank{}(stream, matches);
  std::uint64_t rejected = 0;
  const std::uint64_t rank = last_zero_pick(stream, matches, &rejected);
  if (rejected != 0) return agents::ReservoirRank{}(stream, matches);  // the exact path, from the untouched stream
  stream.discard(matches);
  return rank;
}

void set_vector_kernels(bool enabled) { vector_kernels_enabled.store(enabled, std::memory_order_relaxed); }

bool vector_kernels_active() { return use_avx512_kernels(); }

}  // namespace sahelsim::models::epstein
