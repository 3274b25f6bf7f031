/*
 * fn_math.c - mathematical scalar functions (ksqlDB's MATHEMATICAL category).
 *
 * Typing follows ksqlDB's UDF overloads: the trigonometric and exponential functions take and
 * return DOUBLE (integer and decimal arguments are coerced by the compiler); ABS, CEIL, FLOOR,
 * ROUND, TRUNC and SIGN keep integers integral and DECIMALs exact.  Rounding of doubles to n
 * places goes through the shortest decimal text of the double, as ksqlDB's
 * BigDecimal.valueOf(double) does, so ROUND(1.005, 2) is 1.01 and not 1.0.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "func.h"

/* ---------------------------------------------------------------- helpers */


/* NULL-typed arguments (a bare NULL literal) fit any parameter. */
static int fits_numeric(const wr_type *t) { return t->kind == WR_NULL || wr_type_is_numeric(t); }
static int fits_int(const wr_type *t) { return t->kind == WR_NULL || t->kind == WR_INT; }

static wr_int128 pow10_128(int n)
{
    wr_int128 p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

static wr_int128 floor_div128(wr_int128 a, wr_int128 b)
{
    wr_int128 q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Rounds unscaled value u (scale s) to `places` fractional digits and returns it at scale
 * s again (or at `places` when places > s nothing changes).  mode: 'F' floor, 'C' ceiling,
 * 'T' toward zero, 'R' half toward positive infinity (ksqlDB ROUND). */
static wr_int128 dec_round(wr_int128 u, int s, int places, int mode)
{
    if (places >= s)
        return u;
    int drop = s - places;
    if (drop > 38) /* everything is dropped: rounding a number below 1e-38 of the unit */
        return 0;
    wr_int128 p = pow10_128(drop);
    wr_int128 q = floor_div128(u, p);
    wr_int128 r = u - q * p; /* 0 <= r < p */
    switch (mode) {
    case 'F': break;
    case 'C': if (r) q++; break;
    case 'T': if (r && u < 0) q++; break;
    default: /* half up toward +inf: compare remainder with half */
        if (2 * r >= p)
            q++;
        break;
    }
    return q * p;
}

/* Java's Math.round(double): floor(x + 0.5) computed without the x + 0.5 precision trap,
 * NaN -> 0, saturated to the long range. */
static int64_t java_math_round(double x)
{
    if (isnan(x))
        return 0;
    double f = floor(x);
    if (x - f >= 0.5)
        f += 1.0;
    if (f >= 9223372036854775807.0)
        return INT64_MAX;
    if (f <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)f;
}

/* The significant digits of |x| (x finite, non-zero) as Java's Double.toString prints them -
 * which is what BigDecimal.valueOf(x) starts from - without trailing zeros: digits[] and the
 * exponent e such that |x| = d1.d2..dk * 10^e. */
static int shortest_digits(double x, char *digits, int *exp10)
{
    char txt[40];
    int n = wr_double_format(fabs(x), txt);
    const char *p = txt, *end = txt + n, *exp = memchr(txt, 'E', (size_t)n);
    int k = 0, point = -1; /* point: digits seen before the '.' (leading zeros included) */
    int lead = 0;          /* leading zeros before the first significant digit */
    for (; p < (exp ? exp : end); p++) {
        if (*p == '.') {
            point = k + lead;
        } else if (k == 0 && *p == '0') {
            lead++;
        } else {
            digits[k++] = *p;
        }
    }
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = 0;
    /* "d.ddd" + "E<n>": e = n.  Plain "iii.fff": the first significant digit's position. */
    *exp10 = exp ? atoi(exp + 1) : (point < 0 ? k + lead : point) - lead - 1;
    return k;
}

/* ksqlDB ROUND/TRUNC(double, places): BigDecimal.valueOf(x).setScale(places, mode) then
 * back to double.  mode 'R' = HALF_UP for positive, HALF_DOWN for negative (ties toward +inf),
 * 'T' = toward zero. */
static double round_double_places(double x, int places, int mode)
{
    if (x == 0 || !isfinite(x))
        return x;
    char d[24];
    int e;
    int k = shortest_digits(x, d, &e);
    int neg = x < 0;
    /* keep = number of leading digits that survive: digit i (0-based) has weight 10^(e-i). */
    long keep = (long)e + 1 + places;
    if (keep >= k)
        return x;
    int up = 0;
    if (mode == 'R' && keep >= 0) {
        int next = d[keep] - '0';
        int rest = 0;
        for (int i = (int)keep + 1; i < k; i++)
            if (d[i] != '0')
                rest = 1;
        up = neg ? (next > 5 || (next == 5 && rest)) : next >= 5;
    }
    if (keep < 0 || (keep == 0 && !up))
        return 0.0; /* BigDecimal has no negative zero */
    /* build the kept digits (plus a carry) as an integer string times 10^(e+1-keep) */
    char out[64];
    int n = 0;
    if (keep == 0) {
        out[n++] = '1';
    } else {
        memcpy(out, d, (size_t)keep);
        n = (int)keep;
        if (up) {
            int i = n - 1;
            while (i >= 0 && out[i] == '9')
                out[i--] = '0';
            if (i >= 0) {
                out[i]++;
            } else {
                memmove(out + 1, out, (size_t)n);
                out[0] = '1';
                n++;
            }
        }
    }
    long scale_exp = (long)e + 1 - keep; /* value = digits * 10^scale_exp = 10^-places units */
    char txt[96];
    snprintf(txt, sizeof txt, "%s%.*se%ld", neg ? "-" : "", n, out, scale_exp);
    return strtod(txt, NULL);
}

/* glibc's cbrt is off by an ulp at times (cbrt(27) = 3.0000000000000004); Java's is within
 * one ulp and exact on cubes.  One Newton step in long double fixes it. */
static double java_cbrt(double x)
{
    double r = cbrt(x);
    if (r == 0 || !isfinite(r))
        return r;
    long double lr = r;
    lr = lr - (lr * lr * lr - (long double)x) / (3.0L * lr * lr);
    return (double)lr;
}

/* ---------------------------------------------------------------- resolvers */

/* One numeric argument (or two), computed in DOUBLE. */
static const wr_type *res_double_args(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt,
                                      const char *name)
{
    for (int i = 0; i < argc; i++) {
        if (!fits_numeric(argt[i]))
            return wr_fn_bad_args(rc, name, argc, argt);
        if (argt[i]->kind != WR_DOUBLE)
            rc->coerce[i] = &wr_type_double;
    }
    return &wr_type_double;
}

#define DOUBLE_RESOLVER(fname, NAME)                                                            \
    static const wr_type *res_##fname(wr_fn_resolve_ctx *rc, int argc,                          \
                                      const wr_type *const *argt)                               \
    {                                                                                           \
        return res_double_args(rc, argc, argt, NAME);                                           \
    }

/* ABS, CEIL, FLOOR: INT -> INT, BIGINT -> BIGINT, DOUBLE -> DOUBLE, DECIMAL -> same DECIMAL. */
static const wr_type *same_numeric(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt,
                                   const char *name)
{
    if (!fits_numeric(argt[0]))
        return wr_fn_bad_args(rc, name, argc, argt);
    if (argt[0]->kind == WR_NULL) {
        rc->coerce[0] = &wr_type_int;
        return &wr_type_int;
    }
    return argt[0];
}

/* ROUND/TRUNC: (INT|BIGINT) -> BIGINT, DOUBLE -> BIGINT, DECIMAL(p,s) -> DECIMAL(p-s+1,0);
 * with places: DOUBLE -> DOUBLE (integers coerced to DOUBLE), DECIMAL -> same DECIMAL. */
static const wr_type *round_like(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt,
                                 const char *name)
{
    if (!fits_numeric(argt[0]) || (argc == 2 && !fits_int(argt[1])))
        return wr_fn_bad_args(rc, name, argc, argt);
    const wr_type *t = argt[0];
    if (argc == 1) {
        if (t->kind == WR_DECIMAL) {
            int p = t->precision - t->scale + 1;
            if (p > 38)
                p = 38;
            return wr_type_decimal(rc->arena, p, 0);
        }
        if (t->kind == WR_DOUBLE)
            return &wr_type_bigint;
        rc->coerce[0] = &wr_type_bigint;
        return &wr_type_bigint;
    }
    if (argt[1]->kind == WR_NULL)
        rc->coerce[1] = &wr_type_int;
    if (t->kind == WR_DECIMAL)
        return t;
    if (t->kind != WR_DOUBLE)
        rc->coerce[0] = &wr_type_double;
    return &wr_type_double;
}

static const wr_type *res_abs(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return same_numeric(rc, argc, argt, "ABS");
}
static const wr_type *res_ceil(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return same_numeric(rc, argc, argt, "CEIL");
}
static const wr_type *res_floor(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return same_numeric(rc, argc, argt, "FLOOR");
}
static const wr_type *res_round(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return round_like(rc, argc, argt, "ROUND");
}
static const wr_type *res_trunc(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return round_like(rc, argc, argt, "TRUNC");
}

static const wr_type *res_sign(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    if (!fits_numeric(argt[0]))
        return wr_fn_bad_args(rc, "SIGN", argc, argt);
    if (argt[0]->kind == WR_NULL)
        rc->coerce[0] = &wr_type_int;
    return &wr_type_int;
}

static const wr_type *res_pi(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return &wr_type_double;
}

DOUBLE_RESOLVER(acos, "ACOS")
DOUBLE_RESOLVER(asin, "ASIN")
DOUBLE_RESOLVER(atan, "ATAN")
DOUBLE_RESOLVER(atan2, "ATAN2")
DOUBLE_RESOLVER(cbrt, "CBRT")
DOUBLE_RESOLVER(cos, "COS")
DOUBLE_RESOLVER(cosh, "COSH")
DOUBLE_RESOLVER(cot, "COT")
DOUBLE_RESOLVER(degrees, "DEGREES")
DOUBLE_RESOLVER(exp, "EXP")
DOUBLE_RESOLVER(ln, "LN")
DOUBLE_RESOLVER(log, "LOG")
DOUBLE_RESOLVER(power, "POWER")
DOUBLE_RESOLVER(radians, "RADIANS")
DOUBLE_RESOLVER(sin, "SIN")
DOUBLE_RESOLVER(sinh, "SINH")
DOUBLE_RESOLVER(sqrt, "SQRT")
DOUBLE_RESOLVER(tan, "TAN")
DOUBLE_RESOLVER(tanh, "TANH")

/* GREATEST/LEAST: all numeric (widened to the widest type), or all of one other comparable
 * type (STRING, BYTES, TIMESTAMP, DATE, TIME, BOOLEAN).  NULL literals fit anything. */
static const wr_type *extreme_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt,
                                      const char *name)
{
    const wr_type *common = NULL;
    for (int i = 0; i < argc; i++) {
        const wr_type *t = argt[i];
        if (t->kind == WR_NULL)
            continue;
        if (!common) {
            switch (t->kind) {
            case WR_INT: case WR_BIGINT: case WR_DOUBLE: case WR_DECIMAL: case WR_STRING:
            case WR_BYTES: case WR_TIMESTAMP: case WR_DATE: case WR_TIME: case WR_BOOLEAN:
                common = t;
                continue;
            default:
                return wr_fn_bad_args(rc, name, argc, argt);
            }
        }
        if (wr_type_is_numeric(common) && wr_type_is_numeric(t)) {
            common = wr_fn_numeric_widen(rc->arena, common, t);
        } else if (!wr_type_equal(common, t)) {
            return wr_fn_bad_args(rc, name, argc, argt);
        }
    }
    if (!common)
        common = &wr_type_int;
    for (int i = 0; i < argc; i++)
        if (!wr_type_equal(argt[i], common))
            rc->coerce[i] = common;
    return common;
}

static const wr_type *res_greatest(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return extreme_resolve(rc, argc, argt, "GREATEST");
}
static const wr_type *res_least(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return extreme_resolve(rc, argc, argt, "LEAST");
}

static const wr_type *res_random(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    return &wr_type_double;
}

/* ---------------------------------------------------------------- implementations */

#define D0 (argv[0].u.d)
#define D1 (argv[1].u.d)

#define DOUBLE_FN(fname, expr)                                                                  \
    static int fn_##fname(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)      \
    {                                                                                           \
        *out = wr_double(expr);                                                                 \
        return 0;                                                                               \
    }

/* Java's Math.toDegrees/toRadians multiply by these exact constants. */
#define RAD_TO_DEG 57.29577951308232
#define DEG_TO_RAD 0.017453292519943295

DOUBLE_FN(acos, acos(D0))
DOUBLE_FN(asin, asin(D0))
DOUBLE_FN(atan, atan(D0))
DOUBLE_FN(atan2, atan2(D0, D1))
DOUBLE_FN(cbrt, java_cbrt(D0))
DOUBLE_FN(cos, cos(D0))
DOUBLE_FN(cosh, cosh(D0))
DOUBLE_FN(cot, 1.0 / tan(D0))
DOUBLE_FN(degrees, D0 * RAD_TO_DEG)
DOUBLE_FN(exp, exp(D0))
DOUBLE_FN(ln, log(D0))
DOUBLE_FN(power, pow(D0, D1))
DOUBLE_FN(radians, D0 * DEG_TO_RAD)
DOUBLE_FN(sin, sin(D0))
DOUBLE_FN(sinh, sinh(D0))
DOUBLE_FN(sqrt, sqrt(D0))
DOUBLE_FN(tan, tan(D0))
DOUBLE_FN(tanh, tanh(D0))

static int fn_pi(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_double(M_PI);
    return 0;
}

/* LOG(value) is the natural logarithm; LOG(base, value) = ln(value) / ln(base), NaN for a
 * base that is not positive or is 1 (no logarithm exists). */
static int fn_log(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    if (argc == 1)
        *out = wr_double(log(D0));
    else if (D0 <= 0 || D0 == 1)
        *out = wr_double(NAN);
    else
        *out = wr_double(log(D1) / log(D0));
    return 0;
}

static int fn_abs(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    switch (argv[0].kind) {
    case WR_INT: /* Java: Math.abs(Integer.MIN_VALUE) overflows to itself */
        *out = wr_int(argv[0].u.i == INT32_MIN ? INT32_MIN : (int32_t)llabs(argv[0].u.i));
        break;
    case WR_BIGINT:
        *out = wr_bigint(argv[0].u.i == INT64_MIN ? INT64_MIN : llabs(argv[0].u.i));
        break;
    case WR_DOUBLE: *out = wr_double(fabs(D0)); break;
    case WR_DECIMAL: {
        wr_int128 u = *argv[0].u.dec;
        *out = wr_decimal(ctx->arena, u < 0 ? -u : u, (int)argv[0].len);
        break;
    }
    default: *out = argv[0]; break;
    }
    return 0;
}

/* CEIL/FLOOR: integers unchanged, doubles rounded, decimals rounded but kept at their
 * scale (ksqlDB: setScale(0, mode).setScale(scale)). */
static int ceil_floor(wr_fn_ctx *ctx, const wr_value *v, wr_value *out, int mode)
{
    switch (v->kind) {
    case WR_DOUBLE: *out = wr_double(mode == 'C' ? ceil(v->u.d) : floor(v->u.d)); break;
    case WR_DECIMAL:
        *out = wr_decimal(ctx->arena, dec_round(*v->u.dec, (int)v->len, 0, mode), (int)v->len);
        break;
    default: *out = *v; break;
    }
    return 0;
}

static int fn_ceil(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return ceil_floor(ctx, &argv[0], out, 'C');
}

static int fn_floor(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return ceil_floor(ctx, &argv[0], out, 'F');
}

/* Shared by ROUND ('R') and TRUNC ('T'). */
static int round_trunc(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out, int mode)
{
    const wr_value *v = &argv[0];
    if (argc == 1) {
        switch (v->kind) {
        case WR_DOUBLE:
            if (mode == 'R') {
                *out = wr_bigint(java_math_round(v->u.d));
            } else {
                double t = trunc(v->u.d);
                if (isnan(t))
                    t = 0;
                *out = wr_bigint(t >= 9223372036854775807.0    ? INT64_MAX
                                 : t <= -9223372036854775808.0 ? INT64_MIN
                                                               : (int64_t)t);
            }
            return 0;
        case WR_DECIMAL: {
            int s = (int)v->len;
            wr_int128 r = dec_round(*v->u.dec, s, 0, mode) / pow10_128(s);
            *out = wr_decimal(ctx->arena, r, 0);
            return 0;
        }
        default: *out = wr_bigint(v->u.i); return 0;
        }
    }
    int places = (int)argv[1].u.i;
    if (v->kind == WR_DECIMAL) {
        int s = (int)v->len;
        *out = wr_decimal(ctx->arena, dec_round(*v->u.dec, s, places < -38 ? -38 : places, mode), s);
        return 0;
    }
    if (!isfinite(v->u.d))
        return wr_error_set(ctx->err, WR_EDATA, "Character %s is neither a decimal digit number, "
                            "decimal point, nor \"e\" notation exponential mark.",
                            isnan(v->u.d) ? "N" : "I");
    *out = wr_double(round_double_places(v->u.d, places, mode));
    return 0;
}

static int fn_round(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return round_trunc(ctx, argc, argv, out, 'R');
}

static int fn_trunc(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return round_trunc(ctx, argc, argv, out, 'T');
}

static int fn_sign(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *v = &argv[0];
    int s = 0;
    switch (v->kind) {
    case WR_INT: case WR_BIGINT: s = (v->u.i > 0) - (v->u.i < 0); break;
    case WR_DOUBLE: s = (v->u.d > 0) - (v->u.d < 0); break; /* NaN -> 0 like (int) NaN */
    case WR_DECIMAL: s = (*v->u.dec > 0) - (*v->u.dec < 0); break;
    default: break;
    }
    *out = wr_int(s);
    return 0;
}

/* GREATEST/LEAST skip NULLs; NULL only when every argument is NULL. */
static int extreme(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out, int sign)
{
    const wr_value *best = NULL;
    for (int i = 0; i < argc; i++) {
        if (wr_is_null(&argv[i]))
            continue;
        if (argv[i].kind == WR_DOUBLE && isnan(argv[i].u.d)) {
            /* Java's Double.compareTo puts NaN above +Infinity */
            if (sign > 0 || !best)
                best = &argv[i];
            continue;
        }
        if (!best) {
            best = &argv[i];
            continue;
        }
        if (best->kind == WR_DOUBLE && isnan(best->u.d)) {
            if (sign < 0)
                best = &argv[i];
            continue;
        }
        int c = wr_value_compare(&argv[i], best);
        if (c * sign > 0)
            best = &argv[i];
    }
    *out = best ? *best : wr_null();
    return 0;
}

static int fn_greatest(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return extreme(ctx, argc, argv, out, 1);
}

static int fn_least(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return extreme(ctx, argc, argv, out, -1);
}

/* Uniform in [0, 1) with 53 random bits. */
static int fn_random(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
        r = (uint64_t)rand() << 32 ^ (uint64_t)rand();
    *out = wr_double((double)(r >> 11) * 0x1.0p-53);
    return 0;
}

/* ---------------------------------------------------------------- table */

#define V(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NN WR_FN_NULL_IN_NULL_OUT
#define M "MATHEMATICAL"

const wr_scalar_def wr_fns_math[] = {
    {"ABS", M, "Returns the absolute value of its argument.",
     V("ABS(num INT) => INT", "ABS(num BIGINT) => BIGINT", "ABS(num DOUBLE) => DOUBLE",
       "ABS(num DECIMAL) => DECIMAL"),
     1, 1, NN, res_abs, NULL, fn_abs},
    {"ACOS", M, "Returns the inverse (arc) cosine of an INT value.",
     V("ACOS(value DOUBLE) => DOUBLE"), 1, 1, NN, res_acos, NULL, fn_acos},
    {"ASIN", M, "Returns the inverse (arc) sine of a value.",
     V("ASIN(value DOUBLE) => DOUBLE"), 1, 1, NN, res_asin, NULL, fn_asin},
    {"ATAN", M, "Returns the inverse (arc) tangent of a value.",
     V("ATAN(value DOUBLE) => DOUBLE"), 1, 1, NN, res_atan, NULL, fn_atan},
    {"ATAN2", M,
     "Returns the inverse (arc) tangent of y / x, using the signs of both to find the quadrant.",
     V("ATAN2(y DOUBLE, x DOUBLE) => DOUBLE"), 2, 2, NN, res_atan2, NULL, fn_atan2},
    {"CBRT", M, "Returns the cube root of a value.", V("CBRT(value DOUBLE) => DOUBLE"), 1, 1,
     NN, res_cbrt, NULL, fn_cbrt},
    {"CEIL", M, "Returns the smallest integer value that is greater than or equal to a value.",
     V("CEIL(val INT) => INT", "CEIL(val BIGINT) => BIGINT", "CEIL(val DOUBLE) => DOUBLE",
       "CEIL(val DECIMAL) => DECIMAL"),
     1, 1, NN, res_ceil, NULL, fn_ceil},
    {"COS", M, "Returns the cosine of a value (in radians).", V("COS(value DOUBLE) => DOUBLE"),
     1, 1, NN, res_cos, NULL, fn_cos},
    {"COSH", M, "Returns the hyperbolic cosine of a value.", V("COSH(value DOUBLE) => DOUBLE"),
     1, 1, NN, res_cosh, NULL, fn_cosh},
    {"COT", M, "Returns the cotangent of a value (in radians).",
     V("COT(value DOUBLE) => DOUBLE"), 1, 1, NN, res_cot, NULL, fn_cot},
    {"DEGREES", M, "Converts a value in radians to degrees.",
     V("DEGREES(value DOUBLE) => DOUBLE"), 1, 1, NN, res_degrees, NULL, fn_degrees},
    {"EXP", M, "The exponential of a value (e raised to the power of the value).",
     V("EXP(val DOUBLE) => DOUBLE"), 1, 1, NN, res_exp, NULL, fn_exp},
    {"FLOOR", M, "Returns the largest integer value that is less than or equal to a value.",
     V("FLOOR(val INT) => INT", "FLOOR(val BIGINT) => BIGINT", "FLOOR(val DOUBLE) => DOUBLE",
       "FLOOR(val DECIMAL) => DECIMAL"),
     1, 1, NN, res_floor, NULL, fn_floor},
    {"GREATEST", M,
     "Returns the highest non-null value among a variable number of comparable columns.",
     V("GREATEST(val INT, vals INT[]) => INT", "GREATEST(val BIGINT, vals BIGINT[]) => BIGINT",
       "GREATEST(val DOUBLE, vals DOUBLE[]) => DOUBLE",
       "GREATEST(val DECIMAL, vals DECIMAL[]) => DECIMAL",
       "GREATEST(val STRING, vals STRING[]) => STRING",
       "GREATEST(val BYTES, vals BYTES[]) => BYTES",
       "GREATEST(val TIMESTAMP, vals TIMESTAMP[]) => TIMESTAMP",
       "GREATEST(val DATE, vals DATE[]) => DATE", "GREATEST(val TIME, vals TIME[]) => TIME"),
     1, -1, 0, res_greatest, NULL, fn_greatest},
    {"LEAST", M,
     "Returns the lowest non-null value among a variable number of comparable columns.",
     V("LEAST(val INT, vals INT[]) => INT", "LEAST(val BIGINT, vals BIGINT[]) => BIGINT",
       "LEAST(val DOUBLE, vals DOUBLE[]) => DOUBLE",
       "LEAST(val DECIMAL, vals DECIMAL[]) => DECIMAL",
       "LEAST(val STRING, vals STRING[]) => STRING", "LEAST(val BYTES, vals BYTES[]) => BYTES",
       "LEAST(val TIMESTAMP, vals TIMESTAMP[]) => TIMESTAMP",
       "LEAST(val DATE, vals DATE[]) => DATE", "LEAST(val TIME, vals TIME[]) => TIME"),
     1, -1, 0, res_least, NULL, fn_least},
    {"LN", M, "The natural logarithm of a value.", V("LN(val DOUBLE) => DOUBLE"), 1, 1, NN,
     res_ln, NULL, fn_ln},
    {"LOG", M,
     "Returns the logarithm of a value with the given base; the natural logarithm when no base "
     "is given.",
     V("LOG(value DOUBLE) => DOUBLE", "LOG(base DOUBLE, value DOUBLE) => DOUBLE"), 1, 2, NN,
     res_log, NULL, fn_log},
    {"PI", M, "Returns an approximate value of PI.", V("PI() => DOUBLE"), 0, 0, 0, res_pi,
     NULL, fn_pi},
    {"POWER", M, "Returns the value of the first argument raised to the power of the second.",
     V("POWER(base DOUBLE, exp DOUBLE) => DOUBLE"), 2, 2, NN, res_power, NULL, fn_power},
    {"RADIANS", M, "Converts a value in degrees to radians.",
     V("RADIANS(value DOUBLE) => DOUBLE"), 1, 1, NN, res_radians, NULL, fn_radians},
    {"RANDOM", M, "Return a random DOUBLE value between 0.0 and 1.0.", V("RANDOM() => DOUBLE"),
     0, 0, WR_FN_NONDETERMINISTIC, res_random, NULL, fn_random},
    {"ROUND", M,
     "Round a value to the number of decimal places as specified by scale to the right of the "
     "decimal point. If scale is negative then value is rounded to the left of the decimal "
     "point. Numbers equidistant to the nearest value are rounded up (in the positive "
     "direction). If the number of decimal places is not provided it defaults to zero.",
     V("ROUND(val BIGINT) => BIGINT", "ROUND(val DOUBLE) => BIGINT",
       "ROUND(val DOUBLE, decimalPlaces INT) => DOUBLE", "ROUND(val DECIMAL) => DECIMAL",
       "ROUND(val DECIMAL, decimalPlaces INT) => DECIMAL"),
     1, 2, NN, res_round, NULL, fn_round},
    {"SIGN", M,
     "The sign of a numeric value as an INTEGER: -1 for negative, 0 for zero, 1 for positive.",
     V("SIGN(value INT) => INT", "SIGN(value BIGINT) => INT", "SIGN(value DOUBLE) => INT",
       "SIGN(value DECIMAL) => INT"),
     1, 1, NN, res_sign, NULL, fn_sign},
    {"SIN", M, "Returns the sine of a value (in radians).", V("SIN(value DOUBLE) => DOUBLE"), 1,
     1, NN, res_sin, NULL, fn_sin},
    {"SINH", M, "Returns the hyperbolic sine of a value.", V("SINH(value DOUBLE) => DOUBLE"), 1,
     1, NN, res_sinh, NULL, fn_sinh},
    {"SQRT", M, "Returns the positive square root of a value.",
     V("SQRT(value DOUBLE) => DOUBLE"), 1, 1, NN, res_sqrt, NULL, fn_sqrt},
    {"TAN", M, "Returns the tangent of a value (in radians).", V("TAN(value DOUBLE) => DOUBLE"),
     1, 1, NN, res_tan, NULL, fn_tan},
    {"TANH", M, "Returns the hyperbolic tangent of a value.", V("TANH(value DOUBLE) => DOUBLE"),
     1, 1, NN, res_tanh, NULL, fn_tanh},
    {"TRUNC", M,
     "Truncates a value toward zero to the given number of decimal places (zero when not "
     "given).",
     V("TRUNC(val BIGINT) => BIGINT", "TRUNC(val DOUBLE) => BIGINT",
       "TRUNC(val DOUBLE, decimalPlaces INT) => DOUBLE", "TRUNC(val DECIMAL) => DECIMAL",
       "TRUNC(val DECIMAL, decimalPlaces INT) => DECIMAL"),
     1, 2, NN, res_trunc, NULL, fn_trunc},
    {0},
};
