/*
 * fn_sig.h - private helpers shared by the function files of part A (fn_string.c, fn_bytes.c,
 * fn_regex.c, fn_url.c, fn_null.c, fn_other.c): signature matching for resolvers and UTF-8
 * walking.  Header-only (static inline) so it adds no symbols to the library.
 *
 * Signatures are short strings, one letter per parameter, then '=' and the result letter:
 *   S STRING   Y BYTES   I INTEGER   L BIGINT   D DOUBLE   B BOOLEAN
 *   A ARRAY<STRING>   a ARRAY<BYTES>   M MAP<STRING, STRING>
 * A '*' after a letter repeats it (variadic); '?' marks the start of the optional tail
 * ("SI?I=S" accepts 2 or 3 arguments).  A bare NULL literal fits any parameter and is coerced
 * to the parameter's type.
 */
#ifndef WEIR_FN_SIG_H
#define WEIR_FN_SIG_H

#include <string.h>

#include "func.h"

static inline const wr_type *sig_type(wr_arena *a, char c)
{
    switch (c) {
    case 'S': return &wr_type_string;
    case 'Y': return &wr_type_bytes;
    case 'I': return &wr_type_int;
    case 'L': return &wr_type_bigint;
    case 'D': return &wr_type_double;
    case 'B': return &wr_type_boolean;
    case 'A': return wr_type_array(a, &wr_type_string);
    case 'a': return wr_type_array(a, &wr_type_bytes);
    case 'M': return wr_type_map(a, &wr_type_string, &wr_type_string);
    default: return NULL;
    }
}

/* Returns the result type when the arguments fit `sig` (setting coercions for NULL
 * literals), else NULL without touching rc->coerce. */
static inline const wr_type *sig_match(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt,
                                       const char *sig)
{
    const char *eq = strchr(sig, '=');
    char letters[16];
    int n = 0, min = -1, star = 0;
    for (const char *p = sig; p < eq; p++) {
        if (*p == '?')
            min = n;
        else if (*p == '*')
            star = 1;
        else
            letters[n++] = *p;
    }
    if (min < 0)
        min = star ? n - 1 : n;
    if (argc < min || (!star && argc > n))
        return NULL;
    for (int i = 0; i < argc; i++) {
        char c = i < n ? letters[i] : letters[n - 1];
        if (argt[i]->kind == WR_NULL)
            continue;
        if (argt[i]->kind != sig_type(rc->arena, c)->kind)
            return NULL;
    }
    for (int i = 0; i < argc; i++)
        if (argt[i]->kind == WR_NULL)
            rc->coerce[i] = sig_type(rc->arena, i < n ? letters[i] : letters[n - 1]);
    return sig_type(rc->arena, eq[1]);
}

/* Tries each signature in turn; ksqlDB's error when none fits. */
static inline const wr_type *sig_resolve(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt,
                                         const char *name, const char *const *sigs)
{
    for (; *sigs; sigs++) {
        const wr_type *t = sig_match(rc, argc, argt, *sigs);
        if (t)
            return t;
    }
    return wr_fn_bad_args(rc, name, argc, argt);
}

/* Defines res_<fname> trying the given signatures. */
#define SIG_RESOLVER(fname, NAME, ...)                                                          \
    static const wr_type *res_##fname(wr_fn_resolve_ctx *rc, int argc,                          \
                                      const wr_type *const *argt)                               \
    {                                                                                           \
        static const char *const sigs[] = {__VA_ARGS__, NULL};                                  \
        return sig_resolve(rc, argc, argt, NAME, sigs);                                         \
    }

/* ---------------------------------------------------------------- UTF-8 */

/* Length of the UTF-8 sequence starting with byte c (invalid lead bytes count as 1). */
static inline int utf8_seq_len(unsigned char c)
{
    if (c < 0x80) return 1;
    if (c >= 0xF0 && c < 0xF8) return 4;
    if (c >= 0xE0) return c < 0xF0 ? 3 : 1;
    if (c >= 0xC0) return 2;
    return 1;
}

/* Decodes the code point at s[*i] (n bytes total) and advances *i; invalid bytes decode as
 * themselves (one byte). */
static inline int32_t utf8_next(const char *s, size_t n, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[*i];
    int len = utf8_seq_len(c);
    if (len == 1 || *i + (size_t)len > n) {
        (*i)++;
        return c;
    }
    int32_t cp = c & (0xFF >> (len + 1));
    for (int k = 1; k < len; k++) {
        if ((u[*i + k] & 0xC0) != 0x80) {
            (*i)++;
            return c;
        }
        cp = (cp << 6) | (u[*i + k] & 0x3F);
    }
    *i += (size_t)len;
    return cp;
}

/* Number of code points. */
static inline size_t utf8_count(const char *s, size_t n)
{
    size_t i = 0, k = 0;
    while (i < n) {
        utf8_next(s, n, &i);
        k++;
    }
    return k;
}

/* Byte offset of code point index `cp` (clamped to n). */
static inline size_t utf8_offset(const char *s, size_t n, size_t cp)
{
    size_t i = 0;
    while (cp > 0 && i < n) {
        utf8_next(s, n, &i);
        cp--;
    }
    return i;
}


/* Appends bytes as UTF-8 text, replacing each malformed byte (or, ascii_only, every byte >=
 * 0x80) with U+FFFD, as Java's decoders do: STRING values stay valid UTF-8. */
static inline void utf8_append_valid(wr_buf *b, const unsigned char *p, size_t n, int ascii_only)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            wr_buf_putc(b, (char)p[i++]);
            continue;
        }
        if (!ascii_only) {
            int len = utf8_seq_len(p[i]);
            int ok = len > 1 && i + (size_t)len <= n;
            for (int k = 1; ok && k < len; k++)
                ok = (p[i + k] & 0xC0) == 0x80;
            if (ok) {
                size_t j = i;
                int32_t cp = utf8_next((const char *)p, n, &j);
                /* overlong forms, surrogates and > U+10FFFF are malformed too */
                ok = !((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
                       (len == 4 && cp < 0x10000) || (cp >= 0xD800 && cp <= 0xDFFF) ||
                       cp > 0x10FFFF);
            }
            if (ok) {
                wr_buf_append(b, p + i, (size_t)len);
                i += (size_t)len;
                continue;
            }
        }
        wr_buf_puts(b, "\xEF\xBF\xBD");
        i++;
    }
}

/* A STRING/BYTES result copied into the arena, of the given kind. */
static inline wr_value sig_blob(wr_arena *a, wr_kind kind, const char *p, size_t n)
{
    wr_value v = wr_str_copy(a, p, n);
    v.kind = (uint8_t)kind;
    return v;
}

#endif
