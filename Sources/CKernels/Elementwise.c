// The element-wise kernels' public entry points: each calls the variant in use.
#include "CKernels.h"
#include "Dispatch.h"

void ck_lstm_cell_forward(float *gates, const float *c_prev, float *c_out, float *tanh_c, float *h_out, long count,
                          long stride) {
    ck_active()->lstm_forward(gates, c_prev, c_out, tanh_c, h_out, count, stride);
}

void ck_lstm_cell_backward(const float *gates, float *d_gates, const float *c_prev, const float *tanh_c,
                           const float *dh_above, const float *dh, float *dc, long count) {
    ck_active()->lstm_backward(gates, d_gates, c_prev, tanh_c, dh_above, dh, dc, count);
}

void ck_gru_cell_forward(float *gates, const float *hp, const float *bhn, const float *h_prev, float *hn,
                         float *h_out, long count, long stride) {
    ck_active()->gru_forward(gates, hp, bhn, h_prev, hn, h_out, count, stride);
}

void ck_gru_cell_backward(const float *gates, float *d_hidden, float *d_input, const float *h_prev, const float *hn,
                          const float *dh_above, float *dh, long count) {
    ck_active()->gru_backward(gates, d_hidden, d_input, h_prev, hn, dh_above, dh, count);
}

float ck_softmax(float *row, long n) { return ck_active()->softmax(row, n); }

void ck_adam(float *p, const float *g, float *m, float *v, const float *decay_mask, long n, float beta1, float beta2,
             float step_size, float bc2_root, float eps, float decay) {
    ck_active()->adam(p, g, m, v, decay_mask, n, beta1, beta2, step_size, bc2_root, eps, decay);
}

double ck_sum_squares(const float *x, long n) { return ck_active()->sum_squares(x, n); }
void ck_add(float *dst, const float *src, long n) { ck_active()->add(dst, src, n); }
void ck_multiply(float *dst, const float *m, long n) { ck_active()->multiply(dst, m, n); }
void ck_column_sums(const float *a, long rows, long cols, float *dst) { ck_active()->column_sums(a, rows, cols, dst); }
void ck_exp(const float *x, float *y, long n) { ck_active()->exp_n(x, y, n); }
void ck_sigmoid(const float *x, float *y, long n) { ck_active()->sigmoid_n(x, y, n); }
void ck_tanh(const float *x, float *y, long n) { ck_active()->tanh_n(x, y, n); }
