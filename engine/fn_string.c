/*
 * fn_string.c - string scalar functions (ksqlDB's STRING category), several of which also
 * work on BYTES (CONCAT, CONCAT_WS, LEN, LPAD, RPAD, SPLIT, SUBSTRING).
 *
 * ksqlDB runs on Java strings (UTF-16).  weir strings are UTF-8, and positions and lengths
 * count code points, which is what Java counts for every character outside the astral planes;
 * LEN alone counts UTF-16 units, exactly as String.length() does.  Case mapping is ICU's root
 * locale, as Java's toUpperCase()/toLowerCase() in an English JVM.  ENCODE lives in
 * fn_bytes.c with the other text codecs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>
#include <unicode/uchar.h>
#include <unicode/ucasemap.h>

#include "fn_sig.h"
#include "func.h"

#define NN WR_FN_NULL_IN_NULL_OUT
#define V(...) ((const char *const[]){__VA_ARGS__, NULL})
#define CAT "STRING"

static wr_value blob(wr_fn_ctx *ctx, const wr_value *like, const char *p, size_t n)
{
    return sig_blob(ctx->arena, like->kind == WR_BYTES ? WR_BYTES : WR_STRING, p, n);
}

/* Length in the unit the function counts: code points for STRING, bytes for BYTES. */
static size_t units(const wr_value *v)
{
    return v->kind == WR_BYTES ? v->len : utf8_count(v->u.s, v->len);
}

/* Byte offset of unit index k. */
static size_t unit_off(const wr_value *v, size_t k)
{
    if (v->kind == WR_BYTES)
        return k < v->len ? k : v->len;
    return utf8_offset(v->u.s, v->len, k);
}

/* ---------------------------------------------------------------- CHR */

SIG_RESOLVER(chr, "CHR", "I=S", "S=S")

static int fn_chr(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    char buf[64];
    int n = 0;
    if (argv[0].kind == WR_INT) {
        int64_t cp = argv[0].u.i;
        /* Java: any valid code point; a lone surrogate cannot be written as UTF-8 */
        if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            *out = wr_null();
            return 0;
        }
        n = wr_utf8_put((uint32_t)cp, buf);
    } else {
        /* '\u004b' style text (Java escapes; a surrogate pair spells an astral char) */
        const char *s = argv[0].u.s;
        size_t len = argv[0].len;
        if (len < 6 || s[0] != '\\' || s[1] != 'u') {
            *out = wr_null();
            return 0;
        }
        size_t i = 0;
        int32_t high = 0;
        while (i < len && n < 56) {
            if (i + 6 > len || s[i] != '\\' || s[i + 1] != 'u') {
                *out = wr_null();
                return 0;
            }
            char hex[5] = {s[i + 2], s[i + 3], s[i + 4], s[i + 5], 0};
            char *end;
            long u = strtol(hex, &end, 16);
            if (*end) {
                *out = wr_null();
                return 0;
            }
            i += 6;
            if (u >= 0xD800 && u <= 0xDBFF) {
                high = (int32_t)u;
                continue;
            }
            int32_t cp = (int32_t)u;
            if (u >= 0xDC00 && u <= 0xDFFF) {
                if (!high) {
                    *out = wr_null();
                    return 0;
                }
                cp = 0x10000 + ((high - 0xD800) << 10) + (cp - 0xDC00);
            }
            high = 0;
            n += wr_utf8_put((uint32_t)cp, buf + n);
        }
        if (high) {
            *out = wr_null();
            return 0;
        }
    }
    *out = wr_str_copy(ctx->arena, buf, (size_t)n);
    return 0;
}

/* ---------------------------------------------------------------- CONCAT, CONCAT_WS */

SIG_RESOLVER(concat, "CONCAT", "S*=S", "Y*=Y")
SIG_RESOLVER(concat_ws, "CONCAT_WS", "SS*=S", "YY*=Y")

/* Joins the non-NULL arguments from `first` on, with `sep` between them. */
static wr_value join(wr_fn_ctx *ctx, wr_kind kind, int argc, const wr_value *argv, int first,
                     const char *sep, size_t seplen)
{
    size_t total = 0;
    int k = 0;
    for (int i = first; i < argc; i++)
        if (!wr_is_null(&argv[i]))
            total += argv[i].len + (k++ ? seplen : 0);
    char *p = wr_arena_alloc(ctx->arena, total + 1);
    size_t n = 0;
    k = 0;
    for (int i = first; i < argc; i++) {
        if (wr_is_null(&argv[i]))
            continue;
        if (k++ && seplen) {
            memcpy(p + n, sep, seplen);
            n += seplen;
        }
        memcpy(p + n, argv[i].u.s, argv[i].len);
        n += argv[i].len;
    }
    p[n] = 0;
    wr_value v = kind == WR_BYTES ? wr_bytes(p, n) : wr_str(p, n);
    return v;
}

static int fn_concat(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = join(ctx, ctx->rtype->kind, argc, argv, 0, NULL, 0);
    return 0;
}

static int fn_concat_ws(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    if (wr_is_null(&argv[0])) {
        *out = wr_null();
        return 0;
    }
    *out = join(ctx, ctx->rtype->kind, argc, argv, 1, argv[0].u.s, argv[0].len);
    return 0;
}

/* ---------------------------------------------------------------- ELT, FIELD */

SIG_RESOLVER(elt, "ELT", "IS*=S")
SIG_RESOLVER(field, "FIELD", "SS*=I")

static int fn_elt(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_null();
    if (wr_is_null(&argv[0]))
        return 0;
    int64_t n = argv[0].u.i;
    if (n >= 1 && n < argc)
        *out = argv[n];
    return 0;
}

static int fn_field(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_int(0);
    if (wr_is_null(&argv[0]))
        return 0;
    for (int i = 1; i < argc; i++)
        if (!wr_is_null(&argv[i]) && argv[i].len == argv[0].len &&
            memcmp(argv[i].u.s, argv[0].u.s, argv[0].len) == 0) {
            *out = wr_int(i);
            break;
        }
    return 0;
}

/* ---------------------------------------------------------------- case mapping */

SIG_RESOLVER(str1, "UCASE", "S=S")
SIG_RESOLVER(lcase, "LCASE", "S=S")
SIG_RESOLVER(initcap, "INITCAP", "S=S")
SIG_RESOLVER(trim, "TRIM", "S=S")

static void casemap_free(void *p)
{
    ucasemap_close(p);
}

/* The call site's ICU case map (root locale), opened on first use: no allocation per record. */
static UCaseMap *casemap_get(wr_fn_ctx *ctx)
{
    wr_fn_site *site = ctx->site;
    if (site->data && site->free == casemap_free)
        return site->data;
    UErrorCode st = U_ZERO_ERROR;
    UCaseMap *cm = ucasemap_open("", 0, &st);
    if (U_FAILURE(st))
        return NULL;
    if (site->data && site->free)
        site->free(site->data);
    site->data = cm;
    site->free = casemap_free;
    return cm;
}

/* Maps case with ICU's root locale (as Java's toUpperCase/toLowerCase in an English JVM);
 * upper != 0 for upper case. */
static int map_case(wr_fn_ctx *ctx, const char *s, size_t n, int upper, wr_value *out)
{
    UErrorCode st = U_ZERO_ERROR;
    UCaseMap *cm = casemap_get(ctx);
    int32_t cap = (int32_t)n * 3 + 16;
    char *buf = wr_arena_alloc(ctx->arena, (size_t)cap);
    int32_t len = 0;
    if (cm)
        len = upper ? ucasemap_utf8ToUpper(cm, buf, cap, s, (int32_t)n, &st)
                    : ucasemap_utf8ToLower(cm, buf, cap, s, (int32_t)n, &st);
    if (!cm || U_FAILURE(st)) {
        /* no case map or invalid UTF-8: map ASCII letters, keep every other byte */
        for (size_t i = 0; i < n; i++) {
            char c = s[i];
            buf[i] = upper ? (c >= 'a' && c <= 'z' ? c - 32 : c) : (c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        len = (int32_t)n;
    }
    *out = wr_str(buf, (size_t)len);
    return 0;
}

static int fn_ucase(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return map_case(ctx, argv[0].u.s, argv[0].len, 1, out);
}

static int fn_lcase(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return map_case(ctx, argv[0].u.s, argv[0].len, 0, out);
}

/* Java's \s: space, \t \n \x0B \f \r. */
static int java_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* ksqlDB lower-cases the input, then upper-cases the first character of each match of
 * [^\s]+\s* ; leading whitespace is therefore dropped. */
static int fn_initcap(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    wr_value low;
    int rc = map_case(ctx, argv[0].u.s, argv[0].len, 0, &low);
    if (rc)
        return rc;
    const char *s = low.u.s;
    size_t n = low.len;
    wr_buf b;
    wr_buf_init(&b);
    size_t i = 0;
    while (i < n && java_space((unsigned char)s[i]))
        i++;
    int word_start = 1;
    while (i < n) {
        if (java_space((unsigned char)s[i])) {
            wr_buf_putc(&b, s[i++]);
            word_start = 1;
            continue;
        }
        size_t start = i;
        utf8_next(s, n, &i);
        if (word_start) {
            wr_value up;
            map_case(ctx, s + start, i - start, 1, &up);
            wr_buf_append(&b, up.u.s, up.len);
            word_start = 0;
        } else {
            wr_buf_append(&b, s + start, i - start);
        }
    }
    *out = wr_str_copy(ctx->arena, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    return 0;
}

/* Java's String.trim(): strips every char <= ' ' at both ends. */
static int fn_trim(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const unsigned char *s = (const unsigned char *)argv[0].u.s;
    size_t a = 0, z = argv[0].len;
    while (a < z && s[a] <= ' ')
        a++;
    while (z > a && s[z - 1] <= ' ')
        z--;
    *out = wr_str(argv[0].u.s + a, z - a);
    return 0;
}

/* ---------------------------------------------------------------- INSTR, LEN */

SIG_RESOLVER(instr, "INSTR", "SS?II=I")
SIG_RESOLVER(len, "LEN", "S=I", "Y=I")

/* Java's indexOf/lastIndexOf in code points; -1 when absent. */
static long find_fwd(const char *s, size_t n, const char *sub, size_t m, size_t from_byte)
{
    if (from_byte > n)
        return -1;
    if (m == 0)
        return (long)from_byte;
    const char *p = memmem(s + from_byte, n - from_byte, sub, m);
    return p ? (long)(p - s) : -1;
}

static long find_back(const char *s, size_t n, const char *sub, size_t m, long from_byte)
{
    if (from_byte < 0)
        return -1;
    if ((size_t)from_byte + m > n) {
        if (m > n)
            return -1;
        from_byte = (long)(n - m);
    }
    for (long i = from_byte; i >= 0; i--)
        if (memcmp(s + i, sub, m) == 0)
            return i;
    return -1;
}

/* INSTR(str, substr [, position [, occurrence]]): 1-based code point position, 0 when not
 * found; a negative position searches backwards from that many characters from the end. */
static int fn_instr(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_int(0);
    for (int i = 0; i < argc; i++)
        if (wr_is_null(&argv[i])) {
            if (i >= 2)
                *out = wr_null();
            return 0;
        }
    const char *s = argv[0].u.s, *sub = argv[1].u.s;
    size_t n = argv[0].len, m = argv[1].len;
    int64_t pos = argc > 2 ? argv[2].u.i : 1;
    int64_t occ = argc > 3 ? argv[3].u.i : 1;
    if (occ <= 0)
        return 0;
    size_t ncp = utf8_count(s, n);
    long idx;
    if (pos > 0) {
        if ((size_t)pos > ncp + 1)
            return 0;
        size_t from = utf8_offset(s, n, (size_t)(pos - 1));
        idx = -1;
        for (int64_t k = 0; k < occ; k++) {
            idx = find_fwd(s, n, sub, m, from);
            if (idx < 0)
                return 0;
            from = (size_t)idx + 1;
            while (from < n && ((unsigned char)s[from] & 0xC0) == 0x80)
                from++;
        }
    } else if (pos < 0) {
        int64_t start_cp = (int64_t)ncp + pos; /* code point index to search back from */
        if (start_cp < 0)
            return 0;
        long from = (long)utf8_offset(s, n, (size_t)start_cp);
        idx = -1;
        for (int64_t k = 0; k < occ; k++) {
            idx = find_back(s, n, sub, m, from);
            if (idx < 0)
                return 0;
            from = idx - 1;
        }
    } else {
        return 0;
    }
    *out = wr_int((int32_t)utf8_count(s, (size_t)idx) + 1);
    return 0;
}

/* LEN: UTF-16 units for STRING (Java's String.length()), bytes for BYTES. */
static int fn_len(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    if (argv[0].kind == WR_BYTES) {
        *out = wr_int((int32_t)argv[0].len);
        return 0;
    }
    size_t i = 0, k = 0;
    while (i < argv[0].len)
        k += utf8_next(argv[0].u.s, argv[0].len, &i) >= 0x10000 ? 2 : 1;
    *out = wr_int((int32_t)k);
    return 0;
}

/* ---------------------------------------------------------------- LPAD, RPAD */

/* Longest padded result (characters): a bigger length is a mistake that would otherwise
 * exhaust memory (ksqlDB dies with an OutOfMemoryError). */
#define WR_FN_MAX_PAD (64 * 1024 * 1024)

SIG_RESOLVER(lpad, "LPAD", "SIS=S", "YIY=Y")
SIG_RESOLVER(rpad, "RPAD", "SIS=S", "YIY=Y")

/* ksqlDB: NULL when the padding is empty or the length negative; the input is cut to the
 * target length. */
static int pad(wr_fn_ctx *ctx, const wr_value *argv, wr_value *out, int left)
{
    const wr_value *in = &argv[0], *padv = &argv[2];
    int64_t target = argv[1].u.i;
    if (padv->len == 0 || target < 0) {
        *out = wr_null();
        return 0;
    }
    if (target > WR_FN_MAX_PAD)
        return wr_error_set(ctx->err, WR_EDATA, "target length %lld is too large",
                            (long long)target);
    size_t inlen = units(in), padlen = units(padv);
    wr_buf b;
    wr_buf_init(&b);
    size_t need = (size_t)target > inlen ? (size_t)target - inlen : 0;
    if (!left)
        wr_buf_append(&b, in->u.s, unit_off(in, (size_t)target));
    size_t done = 0;
    while (done < need) {
        size_t take = need - done < padlen ? need - done : padlen;
        wr_buf_append(&b, padv->u.s, unit_off(padv, take));
        done += take;
    }
    if (left)
        wr_buf_append(&b, in->u.s, unit_off(in, (size_t)target));
    *out = blob(ctx, in, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    return 0;
}

static int fn_lpad(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return pad(ctx, argv, out, 1);
}

static int fn_rpad(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return pad(ctx, argv, out, 0);
}

/* ---------------------------------------------------------------- MASK family */

SIG_RESOLVER(mask, "MASK", "S?SSSS=S")
SIG_RESOLVER(mask_left, "MASK_LEFT", "SI?SSSS=S")
SIG_RESOLVER(mask_right, "MASK_RIGHT", "SI?SSSS=S")
SIG_RESOLVER(mask_keep_left, "MASK_KEEP_LEFT", "SI?SSSS=S")
SIG_RESOLVER(mask_keep_right, "MASK_KEEP_RIGHT", "SI?SSSS=S")

/* Masks code points [from, to) of s.  Mask arguments start at argv[mi]; an absent argument
 * takes ksqlDB's default (X x n -), a NULL one keeps that class of characters. */
static int mask_range(wr_fn_ctx *ctx, int argc, const wr_value *argv, int mi, size_t from,
                      size_t to, wr_value *out)
{
    static const int32_t defaults[4] = {'X', 'x', 'n', '-'};
    int32_t masks[4]; /* -1 = keep */
    for (int k = 0; k < 4; k++) {
        if (mi + k >= argc) {
            masks[k] = defaults[k];
        } else if (wr_is_null(&argv[mi + k]) || argv[mi + k].len == 0) {
            masks[k] = -1;
        } else {
            size_t i = 0;
            masks[k] = utf8_next(argv[mi + k].u.s, argv[mi + k].len, &i);
        }
    }
    const char *s = argv[0].u.s;
    size_t n = argv[0].len, i = 0, cp = 0;
    wr_buf b;
    wr_buf_init(&b);
    while (i < n) {
        size_t start = i;
        int32_t c = utf8_next(s, n, &i);
        if (cp >= from && cp < to) {
            int cls = u_isupper(c) ? 0 : u_islower(c) ? 1 : u_isdigit(c) ? 2 : 3;
            if (masks[cls] >= 0) {
                char enc[4];
                wr_buf_append(&b, enc, (size_t)wr_utf8_put((uint32_t)masks[cls], enc));
            } else {
                wr_buf_append(&b, s + start, i - start);
            }
        } else {
            wr_buf_append(&b, s + start, i - start);
        }
        cp++;
    }
    *out = wr_str_copy(ctx->arena, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    return 0;
}

static int fn_mask(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    if (wr_is_null(&argv[0])) {
        *out = wr_null();
        return 0;
    }
    return mask_range(ctx, argc, argv, 1, 0, SIZE_MAX, out);
}

/* which: 'L' mask left n, 'R' mask right n, 'l' keep left n, 'r' keep right n. */
static int mask_part(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out, int which,
                     const char *name)
{
    if (wr_is_null(&argv[0]) || wr_is_null(&argv[1])) {
        *out = wr_null();
        return 0;
    }
    int64_t k = argv[1].u.i;
    if (k < 0)
        return wr_error_set(ctx->err, WR_EDATA, "function %s requires a non-negative number",
                            name);
    size_t n = utf8_count(argv[0].u.s, argv[0].len);
    size_t kk = (size_t)k > n ? n : (size_t)k;
    switch (which) {
    case 'L': return mask_range(ctx, argc, argv, 2, 0, kk, out);
    case 'R': return mask_range(ctx, argc, argv, 2, n - kk, n, out);
    case 'l': return mask_range(ctx, argc, argv, 2, kk, n, out);
    default: return mask_range(ctx, argc, argv, 2, 0, n - kk, out);
    }
}

static int fn_mask_left(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return mask_part(ctx, argc, argv, out, 'L', "mask_left");
}
static int fn_mask_right(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return mask_part(ctx, argc, argv, out, 'R', "mask_right");
}
static int fn_mask_keep_left(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return mask_part(ctx, argc, argv, out, 'l', "mask_keep_left");
}
static int fn_mask_keep_right(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return mask_part(ctx, argc, argv, out, 'r', "mask_keep_right");
}

/* ---------------------------------------------------------------- REPLACE */

SIG_RESOLVER(replace, "REPLACE", "SSS=S")

/* Java's String.replace(target, replacement): literal, left to right; an empty target inserts
 * the replacement around every character. */
static int fn_replace(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const char *s = argv[0].u.s, *t = argv[1].u.s, *r = argv[2].u.s;
    size_t n = argv[0].len, tl = argv[1].len, rl = argv[2].len;
    wr_buf b;
    wr_buf_init(&b);
    if (tl == 0) {
        size_t i = 0;
        wr_buf_append(&b, r, rl);
        while (i < n) {
            size_t start = i;
            utf8_next(s, n, &i);
            wr_buf_append(&b, s + start, i - start);
            wr_buf_append(&b, r, rl);
        }
    } else {
        size_t i = 0;
        for (;;) {
            const char *p = i <= n ? memmem(s + i, n - i, t, tl) : NULL;
            if (!p) {
                wr_buf_append(&b, s + i, n - i);
                break;
            }
            wr_buf_append(&b, s + i, (size_t)(p - (s + i)));
            wr_buf_append(&b, r, rl);
            i = (size_t)(p - s) + tl;
        }
    }
    *out = wr_str_copy(ctx->arena, b.data ? b.data : "", b.len);
    wr_buf_fini(&b);
    return 0;
}

/* ---------------------------------------------------------------- SPLIT, SPLIT_TO_MAP */

SIG_RESOLVER(split, "SPLIT", "SS=A", "YY=a")
SIG_RESOLVER(split_to_map, "SPLIT_TO_MAP", "SSS=M")

/* Guava's Splitter.on(delim): keeps empty pieces; an empty delimiter splits into single
 * characters (bytes for BYTES). */
static int fn_split(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *in = &argv[0], *d = &argv[1];
    wr_kind kind = in->kind == WR_BYTES ? WR_BYTES : WR_STRING;
    const char *s = in->u.s;
    size_t n = in->len;
    if (d->len == 0) {
        size_t cnt = units(in);
        if (cnt == 0) {
            *out = wr_array(ctx->arena, 1);
            out->u.items[0] = sig_blob(ctx->arena, kind, "", 0);
            return 0;
        }
        *out = wr_array(ctx->arena, (uint32_t)cnt);
        size_t i = 0;
        for (size_t k = 0; k < cnt; k++) {
            size_t start = i;
            if (kind == WR_BYTES)
                i++;
            else
                utf8_next(s, n, &i);
            out->u.items[k] = sig_blob(ctx->arena, kind, s + start, i - start);
        }
        return 0;
    }
    size_t cnt = 1;
    for (size_t i = 0; i + d->len <= n;) {
        const char *p = memmem(s + i, n - i, d->u.s, d->len);
        if (!p)
            break;
        cnt++;
        i = (size_t)(p - s) + d->len;
    }
    *out = wr_array(ctx->arena, (uint32_t)cnt);
    size_t i = 0;
    for (size_t k = 0; k < cnt; k++) {
        const char *p = k + 1 < cnt ? memmem(s + i, n - i, d->u.s, d->len) : NULL;
        size_t end = p ? (size_t)(p - s) : n;
        out->u.items[k] = sig_blob(ctx->arena, kind, s + i, end - i);
        i = end + d->len;
    }
    return 0;
}

/* ksqlDB: entries split on entryDelim (empty entries dropped); entries without kvDelim are
 * skipped; key = text before the first kvDelim, value = text up to the next one; a repeated
 * key keeps its last value.  NULL when a delimiter is empty or both are equal. */
static int fn_split_to_map(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *in = &argv[0], *ed = &argv[1], *kd = &argv[2];
    if (ed->len == 0 || kd->len == 0 ||
        (ed->len == kd->len && memcmp(ed->u.s, kd->u.s, ed->len) == 0)) {
        *out = wr_null();
        return 0;
    }
    const char *s = in->u.s;
    size_t n = in->len;
    size_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (i + ed->len <= n && memcmp(s + i, ed->u.s, ed->len) == 0)
            max++;
    wr_value *kv = wr_arena_alloc(ctx->arena, sizeof(wr_value) * 2 * max);
    uint32_t cnt = 0;
    size_t i = 0;
    while (i <= n) {
        const char *p = i < n ? memmem(s + i, n - i, ed->u.s, ed->len) : NULL;
        size_t end = p ? (size_t)(p - s) : n;
        const char *e = s + i;
        size_t el = end - i;
        if (el > 0) {
            const char *k1 = memmem(e, el, kd->u.s, kd->len);
            if (k1) {
                size_t klen = (size_t)(k1 - e);
                const char *vs = k1 + kd->len;
                size_t rest = el - klen - kd->len;
                const char *k2 = memmem(vs, rest, kd->u.s, kd->len);
                size_t vlen = k2 ? (size_t)(k2 - vs) : rest;
                wr_value key = wr_str_copy(ctx->arena, e, klen);
                wr_value val = wr_str_copy(ctx->arena, vs, vlen);
                uint32_t j;
                for (j = 0; j < cnt; j++)
                    if (wr_value_equal(&kv[2 * j], &key))
                        break;
                kv[2 * j] = key;
                kv[2 * j + 1] = val;
                if (j == cnt)
                    cnt++;
            }
        }
        if (!p)
            break;
        i = end + ed->len;
    }
    *out = wr_map(ctx->arena, cnt);
    if (cnt)
        memcpy(out->u.items, kv, sizeof(wr_value) * 2 * cnt);
    return 0;
}

/* ---------------------------------------------------------------- SUBSTRING */

SIG_RESOLVER(substring, "SUBSTRING", "SI?I=S", "YI?I=Y")

/* 1-based, a negative position counts from the end; out-of-range bounds are clamped.  With
 * ksql.functions.substring.legacy.args the arguments are Java's 0-based (start, end) and
 * out-of-range bounds are an error. */
static int fn_substring(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *in = &argv[0];
    int64_t len = (int64_t)units(in);
    int64_t start, end;
    if (ctx->cfg && ctx->cfg->substring_legacy_args) {
        start = argv[1].u.i;
        end = argc > 2 ? argv[2].u.i : len;
        if (start < 0 || end > len || start > end)
            return wr_error_set(ctx->err, WR_EDATA,
                                "begin %lld, end %lld, length %lld", (long long)start,
                                (long long)end, (long long)len);
    } else {
        int64_t pos = argv[1].u.i;
        start = pos < 0 ? (len + pos > 0 ? len + pos : 0)
                        : (pos - 1 < len ? (pos - 1 > 0 ? pos - 1 : 0) : len);
        if (argc > 2) {
            int64_t e = start + argv[2].u.i;
            end = e < len ? e : len;
            if (end < start)
                end = start;
        } else {
            end = len;
        }
    }
    size_t a = unit_off(in, (size_t)start), z = unit_off(in, (size_t)end);
    *out = *in;
    out->u.s = in->u.s + a;
    out->len = (uint32_t)(z - a);
    return 0;
}

/* ---------------------------------------------------------------- UUID, MD5 */

SIG_RESOLVER(uuid, "UUID", "=S", "Y=S")
SIG_RESOLVER(md5, "MD5", "S=S")

static void uuid_text(const unsigned char *u, char *out)
{
    static const char hex[] = "0123456789abcdef";
    int k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[u[i] >> 4];
        out[k++] = hex[u[i] & 15];
    }
    out[k] = 0;
}

/* UUID(): random version 4; UUID(bytes): the text form of 16 bytes (NULL otherwise). */
static int fn_uuid(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    unsigned char u[16];
    if (argc == 0) {
        if (getrandom(u, sizeof u, 0) != (ssize_t)sizeof u)
            return wr_error_set(ctx->err, WR_EDATA, "getrandom failed");
        u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
        u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
    } else {
        if (wr_is_null(&argv[0]) || argv[0].len != 16) {
            *out = wr_null();
            return 0;
        }
        memcpy(u, argv[0].u.s, 16);
    }
    char txt[37];
    uuid_text(u, txt);
    *out = wr_str_copy(ctx->arena, txt, 36);
    return 0;
}

/* MD5 of the UTF-8 bytes, as 32 lower-case hex digits. */
static int fn_md5(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(argv[0].u.s, argv[0].len, md, &mdlen, EVP_md5(), NULL))
        return wr_error_set(ctx->err, WR_EDATA, "MD5 digest failed");
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    *out = wr_str_copy(ctx->arena, hex, 2 * mdlen);
    return 0;
}

/* ---------------------------------------------------------------- table */

#define MASK_VARIANTS(NAME)                                                                     \
    V(NAME "(input STRING, numChars INT) => STRING",                                            \
      NAME "(input STRING, numChars INT, upper STRING, lower STRING, digit STRING, other "     \
           "STRING) => STRING")

const wr_scalar_def wr_fns_string[] = {
    {"CHR", CAT, "Returns a single-character string representing the Unicode code-point "
                 "described by the input. The input parameter can be either a decimal or "
                 "string representation of a UTF-16 code-point.",
     V("CHR(decimalCode INT) => STRING", "CHR(utf16String STRING) => STRING"), 1, 1, NN,
     res_chr, NULL, fn_chr},
    {"CONCAT", CAT, "Concatenate an arbitrary number of string or bytes fields together; "
                    "NULL arguments are skipped.",
     V("CONCAT(inputs STRING[]) => STRING", "CONCAT(inputs BYTES[]) => BYTES"), 1, -1, 0,
     res_concat, NULL, fn_concat},
    {"CONCAT_WS", CAT, "Concatenate several strings or bytes, inserting a separator string "
                       "passed as the first argument between each one; NULL arguments are "
                       "skipped, a NULL separator gives NULL.",
     V("CONCAT_WS(separator STRING, args STRING[]) => STRING",
       "CONCAT_WS(separator BYTES, args BYTES[]) => BYTES"),
     2, -1, 0, res_concat_ws, NULL, fn_concat_ws},
    {"ELT", CAT, "Returns element n in the list of strings (1-based), or NULL if n is less than "
                 "1 or greater than the number of strings.",
     V("ELT(n INT, args STRING[]) => STRING"), 1, -1, 0, res_elt, NULL, fn_elt},
    {"FIELD", CAT, "Returns the 1-based position of str in the list of strings, or 0 if not "
                   "found (or str is NULL).",
     V("FIELD(str STRING, args STRING[]) => INT"), 1, -1, 0, res_field, NULL, fn_field},
    {"INITCAP", CAT, "Capitalizes the first letter of each word and lower-cases the rest. "
                     "Words are delimited by whitespace.",
     V("INITCAP(input STRING) => STRING"), 1, 1, NN, res_initcap, NULL, fn_initcap},
    {"INSTR", CAT, "Returns the position of substring in string (1-based), or 0 when not "
                   "found. A negative position searches from the end; occurrence picks the "
                   "n-th match.",
     V("INSTR(str STRING, substring STRING) => INT",
       "INSTR(str STRING, substring STRING, position INT) => INT",
       "INSTR(str STRING, substring STRING, position INT, occurrence INT) => INT"),
     2, 4, 0, res_instr, NULL, fn_instr},
    {"LCASE", CAT, "Converts a string to lower case.", V("LCASE(input STRING) => STRING"), 1, 1,
     NN, res_lcase, NULL, fn_lcase},
    {"LEN", CAT, "Returns the length of a string in characters, or of bytes in bytes.",
     V("LEN(input STRING) => INT", "LEN(input BYTES) => INT"), 1, 1, NN, res_len, NULL, fn_len},
    {"LPAD", CAT, "Pads the input to the given length by prepending the padding, repeated as "
                  "needed; input longer than length is truncated.",
     V("LPAD(input STRING, length INT, padding STRING) => STRING",
       "LPAD(input BYTES, length INT, padding BYTES) => BYTES"),
     3, 3, NN, res_lpad, NULL, fn_lpad},
    {"MASK", CAT, "Returns a masked version of the input string. Upper-case letters become X, "
                  "lower-case x, digits n and other characters -, unless other mask "
                  "characters are given; a NULL mask character keeps that class unmasked.",
     V("MASK(input STRING) => STRING",
       "MASK(input STRING, upper STRING, lower STRING, digit STRING, other STRING) => STRING"),
     1, 5, 0, res_mask, NULL, fn_mask},
    {"MASK_KEEP_LEFT", CAT, "Returns a masked version of the input string, except for the "
                            "first numChars characters.",
     MASK_VARIANTS("MASK_KEEP_LEFT"), 2, 6, 0, res_mask_keep_left, NULL, fn_mask_keep_left},
    {"MASK_KEEP_RIGHT", CAT, "Returns a masked version of the input string, except for the "
                             "last numChars characters.",
     MASK_VARIANTS("MASK_KEEP_RIGHT"), 2, 6, 0, res_mask_keep_right, NULL, fn_mask_keep_right},
    {"MASK_LEFT", CAT, "Returns a masked version of the input string: only the first numChars "
                       "characters are masked.",
     MASK_VARIANTS("MASK_LEFT"), 2, 6, 0, res_mask_left, NULL, fn_mask_left},
    {"MASK_RIGHT", CAT, "Returns a masked version of the input string: only the last numChars "
                        "characters are masked.",
     MASK_VARIANTS("MASK_RIGHT"), 2, 6, 0, res_mask_right, NULL, fn_mask_right},
    {"MD5", CAT, "Returns the MD5 digest of a string as 32 lower-case hexadecimal digits.",
     V("MD5(input STRING) => STRING"), 1, 1, NN, res_md5, NULL, fn_md5},
    {"REPLACE", CAT, "Replaces all occurrences of a substring in a string with a replacement.",
     V("REPLACE(str STRING, substring STRING, replacement STRING) => STRING"), 3, 3, NN,
     res_replace, NULL, fn_replace},
    {"RPAD", CAT, "Pads the input to the given length by appending the padding, repeated as "
                  "needed; input longer than length is truncated.",
     V("RPAD(input STRING, length INT, padding STRING) => STRING",
       "RPAD(input BYTES, length INT, padding BYTES) => BYTES"),
     3, 3, NN, res_rpad, NULL, fn_rpad},
    {"SPLIT", CAT, "Splits a string or bytes into an array of parts on a delimiter. An empty "
                   "delimiter splits into single characters; empty parts are kept.",
     V("SPLIT(string STRING, delimiter STRING) => ARRAY<STRING>",
       "SPLIT(bytes BYTES, delimiter BYTES) => ARRAY<BYTES>"),
     2, 2, NN, res_split, NULL, fn_split},
    {"SPLIT_TO_MAP", CAT, "Splits a string into key-value pairs and creates a map from them.",
     V("SPLIT_TO_MAP(input STRING, entryDelimiter STRING, kvDelimiter STRING) => "
       "MAP<STRING, STRING>"),
     3, 3, NN, res_split_to_map, NULL, fn_split_to_map},
    {"SUBSTRING", CAT, "Returns the portion of the string or bytes from pos (1-based; negative "
                       "counts from the end), of the given length or up to the end.",
     V("SUBSTRING(str STRING, pos INT) => STRING",
       "SUBSTRING(str STRING, pos INT, length INT) => STRING",
       "SUBSTRING(bytes BYTES, pos INT) => BYTES",
       "SUBSTRING(bytes BYTES, pos INT, length INT) => BYTES"),
     2, 3, NN, res_substring, NULL, fn_substring},
    {"TRIM", CAT, "Removes the spaces and control characters at both ends of a string.",
     V("TRIM(input STRING) => STRING"), 1, 1, NN, res_trim, NULL, fn_trim},
    {"UCASE", CAT, "Converts a string to upper case.", V("UCASE(input STRING) => STRING"), 1, 1,
     NN, res_str1, NULL, fn_ucase},
    {"UUID", CAT, "Creates a random version 4 UUID string, or the UUID text of 16 bytes.",
     V("UUID() => STRING", "UUID(bytes BYTES) => STRING"), 0, 1, WR_FN_NONDETERMINISTIC,
     res_uuid, NULL, fn_uuid},
    {0},
};
