// Vector pieces of the KDE kernel that Swift cannot spell: with AVX-512, 2^t by `vscalefps`
// (p · 2^k in one instruction, where the Swift code needed four to put k in the exponent bits)
// and comparisons straight to lane masks (`vcmpps` into a mask register, where Swift builds a
// vector of lane bits and ORs it down). Elsewhere the same operations in portable vector code.
// Static inline, so that Swift inlines them into its loops. Both paths give the same bits.
#ifndef INFOPLANE_VECTOR_MATH_H
#define INFOPLANE_VECTOR_MATH_H

#include <stdint.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

typedef float ip_float8 __attribute__((__vector_size__(32)));
typedef float ip_float16 __attribute__((__vector_size__(64)));
typedef int32_t ip_int8 __attribute__((__vector_size__(32)));
typedef int32_t ip_int16 __attribute__((__vector_size__(64)));

// 2^f for |f| <= 1/2: a degree-6 polynomial fitted for relative error (2.6e-9 in exact
// arithmetic; with Float rounding within 1.5e-7 of libm, tested in KDEKernelTests).
#define IP_EXP2_POLYNOMIAL(V, f)                                                      \
    V p = (V){} + 0.0001534580806037411f;                                             \
    p = __builtin_elementwise_fma(p, f, (V){} + 0.0013399932067841291f);              \
    p = __builtin_elementwise_fma(p, f, (V){} + 0.009618489071726799f);               \
    p = __builtin_elementwise_fma(p, f, (V){} + 0.05550328642129898f);                \
    p = __builtin_elementwise_fma(p, f, (V){} + 0.24022646248340607f);                \
    p = __builtin_elementwise_fma(p, f, (V){} + 0.6931471824645996f);                 \
    p = __builtin_elementwise_fma(p, f, (V){} + 1.0f);

// 2^t for t <= 0, t clamped at -125 (NaN counts as -125), where Float's normal range is still
// one power of two away: 2^t = 2^k · 2^f with k = t rounded to nearest (ties to even),
// f = t - k exactly. 2^0 is exactly 1.
static inline __attribute__((always_inline)) ip_float16 ip_exp2_16(ip_float16 t) {
#if defined(__AVX512F__)
    // max returns its second operand when either is NaN.
    __m512 c = _mm512_max_ps((__m512)t, _mm512_set1_ps(-125.0f));
    __m512 k = _mm512_roundscale_ps(c, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    ip_float16 f = (ip_float16)c - (ip_float16)k;
    IP_EXP2_POLYNOMIAL(ip_float16, f)
    return (ip_float16)_mm512_scalef_ps((__m512)p, k);
#else
    ip_int16 keep = t >= -125.0f;
    ip_float16 c = (ip_float16)(((ip_int16)t & keep) | ((ip_int16)((ip_float16){} - 125.0f) & ~keep));
    // Adding 1.5 · 2^23 rounds c to the nearest integer k and leaves k in the low bits, so the
    // sum's bits shifted by 23 are k in the exponent field (mod 2^32).
    ip_float16 shifted = c + 12582912.0f;
    ip_float16 f = c - (shifted - 12582912.0f);
    IP_EXP2_POLYNOMIAL(ip_float16, f)
    return (ip_float16)((ip_int16)p + ((ip_int16)shifted << 23));
#endif
}

static inline __attribute__((always_inline)) ip_float8 ip_exp2_8(ip_float8 t) {
#if defined(__AVX512F__) && defined(__AVX512VL__)
    __m256 c = _mm256_max_ps((__m256)t, _mm256_set1_ps(-125.0f));
    __m256 k = _mm256_roundscale_ps(c, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    ip_float8 f = (ip_float8)c - (ip_float8)k;
    IP_EXP2_POLYNOMIAL(ip_float8, f)
    return (ip_float8)_mm256_scalef_ps((__m256)p, k);
#else
    ip_int8 keep = t >= -125.0f;
    ip_float8 c = (ip_float8)(((ip_int8)t & keep) | ((ip_int8)((ip_float8){} - 125.0f) & ~keep));
    ip_float8 shifted = c + 12582912.0f;
    ip_float8 f = c - (shifted - 12582912.0f);
    IP_EXP2_POLYNOMIAL(ip_float8, f)
    return (ip_float8)((ip_int8)p + ((ip_int8)shifted << 23));
#endif
}

// Lane masks, bit l for lane l: below (d < t), above (d > t) and not above (!(d > t), so NaN
// counts as not above).
static inline __attribute__((always_inline)) uint32_t ip_below_16(ip_float16 d, float t) {
#if defined(__AVX512F__)
    return _mm512_cmp_ps_mask((__m512)d, _mm512_set1_ps(t), _CMP_LT_OQ);
#else
    ip_int16 m = d < t;
    uint32_t bits = 0;
    for (int l = 0; l < 16; l++) bits |= (uint32_t)(m[l] & 1) << l;
    return bits;
#endif
}

static inline __attribute__((always_inline)) uint32_t ip_above_16(ip_float16 d, float t) {
#if defined(__AVX512F__)
    return _mm512_cmp_ps_mask((__m512)d, _mm512_set1_ps(t), _CMP_GT_OQ);
#else
    ip_int16 m = d > t;
    uint32_t bits = 0;
    for (int l = 0; l < 16; l++) bits |= (uint32_t)(m[l] & 1) << l;
    return bits;
#endif
}

static inline __attribute__((always_inline)) uint32_t ip_not_above_16(ip_float16 d, float t) {
    return ~ip_above_16(d, t) & 0xFFFFu;
}

static inline __attribute__((always_inline)) uint32_t ip_below_8(ip_float8 d, float t) {
#if defined(__AVX512F__) && defined(__AVX512VL__)
    return _mm256_cmp_ps_mask((__m256)d, _mm256_set1_ps(t), _CMP_LT_OQ);
#else
    ip_int8 m = d < t;
    uint32_t bits = 0;
    for (int l = 0; l < 8; l++) bits |= (uint32_t)(m[l] & 1) << l;
    return bits;
#endif
}

// Subnormal Floats and Doubles as zero, in and out, on this thread (x86: the MXCSR's FTZ and
// DAZ bits), until `ip_restore_float_control` with the returned value. Kernel terms that small
// (below 1e-38) are far below what the estimators keep, and computing with subnormals costs
// about a hundred cycles an instruction. A no-op elsewhere (results are the same, only slower).
static inline unsigned ip_flush_subnormals(void) {
#if defined(__SSE__)
    unsigned previous = _mm_getcsr();
    _mm_setcsr(previous | 0x8040);
    return previous;
#else
    return 0;
#endif
}

static inline void ip_restore_float_control(unsigned previous) {
#if defined(__SSE__)
    _mm_setcsr(previous);
#else
    (void)previous;
#endif
}

#endif
