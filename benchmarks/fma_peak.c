/* One core's single-precision FMA peak, measured: independent chains of fused multiply-adds, 256-bit (AVX2 + FMA) and,
 * where the CPU has it, 512-bit (AVX-512F), in GFLOP/s (an FMA is 2 FLOP). benchmarks/README.md reports each
 * adaptation row's share of this peak (issue 12 gave 95 GFLOP/s per core, an AVX2 figure of an earlier machine).
 * Build: cc -O2 -o fma-peak benchmarks/fma_peak.c (each width's code is compiled for its own instruction set and runs
 * only where the CPU has it). Usage: fma-peak [seconds per width]. */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Enough independent accumulators to cover an FMA's latency times the units that issue it (4 cycles × 2 units), written
 * out one by one so that each stays in a register. */
#define CHAINS 12
#define ROUNDS 100000
#define TWELVE(op) op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) op(8) op(9) op(10) op(11)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* One width's measurement: CHAINS accumulators, each multiplied and added ROUNDS times a pass, until `seconds` pass. */
#define PEAK(name, isa, vector, set1, lanes)                                            \
    __attribute__((target(isa))) static double name(double seconds, float *sink)        \
    {                                                                                   \
        TWELVE(DECLARE)                                                                 \
        const vector a = set1(0.999999f), b = set1(1e-7f);                              \
        long fmas = 0;                                                                  \
        double start = now(), elapsed;                                                  \
        do {                                                                            \
            for (int r = 0; r < ROUNDS; r++) {                                          \
                TWELVE(STEP)                                                            \
            }                                                                           \
            fmas += (long)ROUNDS * CHAINS * lanes;                                      \
        } while ((elapsed = now() - start) < seconds);                                  \
        TWELVE(SINK)                                                                    \
        return 2.0 * fmas / elapsed / 1e9;                                              \
    }

#define DECLARE(c) __m256 acc##c = _mm256_set1_ps((float)c);
#define STEP(c) acc##c = _mm256_fmadd_ps(acc##c, a, b);
#define SINK(c) *sink += _mm256_cvtss_f32(acc##c);
PEAK(avx2, "avx2,fma", __m256, _mm256_set1_ps, 8)
#undef DECLARE
#undef STEP
#undef SINK

#define DECLARE(c) __m512 acc##c = _mm512_set1_ps((float)c);
#define STEP(c) acc##c = _mm512_fmadd_ps(acc##c, a, b);
#define SINK(c) *sink += _mm512_cvtss_f32(acc##c);
PEAK(avx512, "avx512f", __m512, _mm512_set1_ps, 16)

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    float sink = 0;
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
        fprintf(stderr, "this CPU has no AVX2 with FMA\n");
        return 1;
    }
    printf("avx2+fma   %.1f GFLOP/s\n", avx2(seconds, &sink));
    if (__builtin_cpu_supports("avx512f"))
        printf("avx512f    %.1f GFLOP/s\n", avx512(seconds, &sink));
    else
        printf("avx512f    (not on this CPU)\n");
    return sink == 12345.0f; /* keeps the chains' results live */
}
