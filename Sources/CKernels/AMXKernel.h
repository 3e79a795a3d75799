// The AMX product's blocking, written once over the tile operations and included twice by
// AMXGemm.c: once on the instructions (tileloadd, tilestored, tilezero, tdpbf16ps) and once on
// their portable models, so the tests run this very code on any CPU.
//
// Expects AMX_NAME(x), AMX_TARGET, TILE_CONFIG(), TILE_RELEASE(), TILE_ZERO(t),
// TILE_LOAD(t, base, stride), TILE_STORE(t, base, stride) and TILE_DP(c, a, b).
//
// Tiles: 0–3 accumulate a 32×32 block of C (0: rows 0–15, columns 0–15; 1: rows 0–15, columns
// 16–31; 2 and 3 the same for rows 16–31); 4 and 5 hold 16 rows × 32 k of A; 6 and 7 hold 16
// k-pairs × 16 columns of B, read straight from a panel (row stride 32 dwords).

/// C[rows, cols] (accumulate ? += : =) A·B for one 32×32 block: `a` is two 16-row groups of
/// packed A (rows of `kpad` bf16), `b` the panel's first k-pair, `blocks` steps of 32 k.
AMX_TARGET static void AMX_NAME(block)(int rows, int cols, long blocks, const uint16_t *a, long kpad,
                                       const uint32_t *b, float *c, long ldc, int accumulate) {
    int full = rows == 32 && cols == 32;
    long c_stride = ldc * 4, a_stride = kpad * 2, b_stride = BF_NR * 4;
    if (full && accumulate) {
        TILE_LOAD(0, c, c_stride);
        TILE_LOAD(1, c + 16, c_stride);
        TILE_LOAD(2, c + 16 * ldc, c_stride);
        TILE_LOAD(3, c + 16 * ldc + 16, c_stride);
    } else {
        TILE_ZERO(0);
        TILE_ZERO(1);
        TILE_ZERO(2);
        TILE_ZERO(3);
    }
    const uint16_t *a1 = a + 16 * kpad;
    for (long kb = 0; kb < blocks; kb++) {
        const uint32_t *bk = b + kb * BF_PAIR_BLOCK * BF_NR;
        TILE_LOAD(4, a + kb * 32, a_stride);
        TILE_LOAD(6, bk, b_stride);
        TILE_LOAD(7, bk + 16, b_stride);
        TILE_DP(0, 4, 6);
        TILE_DP(1, 4, 7);
        if (rows > 16) {
            TILE_LOAD(5, a1 + kb * 32, a_stride);
            TILE_DP(2, 5, 6);
            TILE_DP(3, 5, 7);
        }
    }
    if (full) {
        TILE_STORE(0, c, c_stride);
        TILE_STORE(1, c + 16, c_stride);
        TILE_STORE(2, c + 16 * ldc, c_stride);
        TILE_STORE(3, c + 16 * ldc + 16, c_stride);
        return;
    }
    float acc[32 * 32];
    TILE_STORE(0, acc, 128);
    TILE_STORE(1, acc + 16, 128);
    TILE_STORE(2, acc + 16 * 32, 128);
    TILE_STORE(3, acc + 16 * 32 + 16, 128);
    bf_store_block(acc, 32, rows, cols, c, ldc, accumulate);
}

/// The product (m, n, k > 0): blocks of BF_KC k and BF_MC rows of A packed into `scratch`; for each
/// panel of B, the 32×32 blocks of C down the rows, so the panel's slice stays in L1.
AMX_TARGET void AMX_NAME(gemm)(long m, long n, long k, const float *a, long ars, long acs,
                               const uint16_t *b_panels, float *c, long ldc, int accumulate, uint16_t *scratch) {
    TILE_CONFIG();
    long panel_pairs = bf_panel_pairs(k), panels = (n + BF_NR - 1) / BF_NR;
    for (long k0 = 0; k0 < k; k0 += BF_KC) {
        long klen = k - k0 < BF_KC ? k - k0 : BF_KC, kpad = (klen + 31) / 32 * 32;
        int acc = accumulate || k0 > 0;
        for (long i0 = 0; i0 < m; i0 += BF_MC) {
            long mlen = m - i0 < BF_MC ? m - i0 : BF_MC;
            amx_pack_a(mlen, klen, kpad, a + i0 * ars + k0 * acs, ars, acs, scratch);
            for (long q = 0; q < panels; q++) {
                long j = q * BF_NR;
                int cols = (int)(n - j < BF_NR ? n - j : BF_NR);
                const uint32_t *bp =
                    (const uint32_t *)(const void *)(b_panels + (q * panel_pairs + k0 / 2) * 2 * BF_NR);
                for (long i = 0; i < mlen; i += 32) {
                    int rows = (int)(mlen - i < 32 ? mlen - i : 32);
                    AMX_NAME(block)(rows, cols, kpad / 32, scratch + i * kpad, kpad, bp, c + (i0 + i) * ldc + j,
                                    ldc, acc);
                }
            }
        }
    }
    TILE_RELEASE();
}
