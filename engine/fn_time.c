/*
 * fn_time.c - date and time functions (ksqlDB's "DATE / TIME" category): UNIX_TIMESTAMP,
 * UNIX_DATE, FROM_UNIXTIME, FROM_DAYS, the legacy TIMESTAMPTOSTRING / STRINGTOTIMESTAMP /
 * DATETOSTRING / STRINGTODATE on BIGINT/INT numbers, FORMAT_/PARSE_ TIMESTAMP DATE TIME,
 * CONVERT_TZ and the interval arithmetic DATEADD DATESUB TIMEADD TIMESUB TIMESTAMPADD
 * TIMESTAMPSUB.
 *
 * Calendars, time zone rules and pattern formatting/parsing are ICU's (udat_*, ucal_*).  This
 * file only translates Java's DateTimeFormatter patterns and zone ids into ICU's and makes ICU
 * behave like java.time where the two differ:
 *   - locale en_US_POSIX (machine independent; English month/day/zone names like Java's
 *     default en_US), proleptic Gregorian calendar (ICU switches to Julian before 1582),
 *     two-digit years 'yy' in 2000..2099 (ICU uses a sliding 80/20 window);
 *   - DST overlaps resolve to the earlier offset and gaps shift forward, like ZonedDateTime;
 *   - parsing is strict like DateTimeFormatter.ofPattern: non-lenient fields, the whole text
 *     must be consumed, and the parsed value must format back to the same text (zone fields,
 *     single-letter numeric fields and sub-millisecond fractions excepted), which gives
 *     Java's fixed field widths ('MM' needs two digits) and case-sensitive names ('Nov', not
 *     'nov'); and lenient where java.time's SMART resolver is: day 29..31 past the end of a
 *     month becomes its last day (2021-02-30 -> 2021-02-28).
 *
 * Java pattern letter -> ICU mapping (everything else is passed through unchanged, quoting
 * with '...' and '' is the same in both):
 *   u / uuu / uuuu  (proleptic year)   -> u (ICU extended year, same numbers)
 *   uu              (2-digit year)     -> yy
 *   VV              (zone id)          -> VV (ICU: long zone id)
 *   z v VV with a fixed-offset zone    -> XXX (java.time prints a ZoneOffset's id: "+02:00", "Z")
 *   [ ... ]         (optional section) -> formatting: the contents; parsing: each optional
 *                                         section tried present, then absent (max 4)
 *   n N p           (nano-of-second, nano-of-day, pad)  -> not supported: WR_EDATA
 *   # { }  unknown letters, too many letters ('MMMMMM', 'aa', 'HHH')     -> WR_EDATA
 *
 * Zone ids follow java.time.ZoneId.of: region ids (tzdb, case-sensitive), "Z", offsets
 * "+h" "+hh" "+hh:mm" "+hhmm" "+hh:mm:ss" "+hhmmss", "UTC" "GMT" "UT" with or without an
 * offset suffix.  Java's short aliases that are not tzdb ids ("PST", "IST"...) are rejected
 * like ZoneId.of does.  Without a zone argument FORMAT_/PARSE_TIMESTAMP use GMT, as ksqlDB
 * does; the legacy TIMESTAMPTOSTRING / STRINGTOTIMESTAMP use the JVM's default zone in
 * ksqlDB, UTC in weir, so results do not depend on the machine.
 *
 * Each call site caches its translated, opened formatters (keyed by operation + pattern +
 * zone) in ctx->site; nothing ICU is opened before the first call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/ufieldpositer.h>
#include <unicode/ustring.h>

#include "func.h"

#define MS_PER_DAY 86400000LL
#define NS_PER_DAY 86400000000000LL
#define TM_LOCALE "en_US_POSIX"
#define TM_MAX_VARIANTS 16 /* 2^4 optional sections */
#define TM_PARSE_MAX 1024  /* longest accepted date text / pattern (UTF-16 units) */

/* ---------------------------------------------------------------- pattern translation */

/* What a pattern contains (tm_pattern.flags). */
enum {
    PF_DATE = 1 << 0,   /* any date field: a LocalTime cannot be formatted with it */
    PF_TIME = 1 << 1,   /* any time-of-day field: a LocalDate cannot */
    PF_ZONE = 1 << 2,   /* zone / offset field */
    PF_YEAR = 1 << 3,
    PF_MONTH = 1 << 4,
    PF_DOM = 1 << 5,
    PF_DOY = 1 << 6,
    PF_HOUR = 1 << 7,   /* H or k: hour of day */
    PF_HOUR12 = 1 << 8, /* h or K: needs 'a' to be a time */
    PF_AMPM = 1 << 9,
    PF_FINE = 1 << 10,  /* fraction finer than milliseconds (parsed, then truncated) */
};

typedef struct tm_pattern {
    unsigned flags;
    uint64_t wild;                    /* ICU fields (bit = UDateFormatField) that the parse
                                         round-trip check does not compare exactly */
    int ngroups;                      /* optional sections */
    char err[160];                    /* why the pattern is invalid */
} tm_pattern;

/* Max letter count per Java pattern letter: 0 = not a Java letter, -1 = any count.  n N p
 * are Java letters weir does not support (rejected by pattern_translate). */
static int letter_max(char c)
{
    switch (c) {
    case 'y': case 'u': case 'Y': return -1;
    case 'G': case 'M': case 'L': case 'Q': case 'q': case 'E': case 'e': case 'c':
    case 'X': case 'x': case 'Z': return 5;
    case 'z': case 'O': case 'v': return 4;
    case 'D': return 3;
    case 'd': case 'H': case 'h': case 'K': case 'k': case 'm': case 's': case 'w':
    case 'V': return 2;
    case 'S': return 9;
    case 'a': case 'F': case 'W': return 1;
    case 'B': return 5;
    case 'A': case 'g': return 19;
    case 'n': case 'N': case 'p': return 19;
    default: return 0;
    }
}

static unsigned letter_flags(char c)
{
    switch (c) {
    case 'y': case 'u': return PF_DATE | PF_YEAR;
    case 'M': case 'L': return PF_DATE | PF_MONTH;
    case 'd': return PF_DATE | PF_DOM;
    case 'D': return PF_DATE | PF_DOY;
    case 'G': case 'Y': case 'Q': case 'q': case 'w': case 'W': case 'E': case 'e': case 'c':
    case 'F': case 'g': return PF_DATE;
    case 'H': case 'k': return PF_TIME | PF_HOUR;
    case 'h': case 'K': return PF_TIME | PF_HOUR12;
    case 'a': return PF_TIME | PF_AMPM;
    case 'm': case 's': case 'S': case 'A': case 'B': return PF_TIME;
    case 'V': case 'v': case 'z': case 'O': case 'X': case 'x': case 'Z': return PF_ZONE;
    default: return 0;
    }
}

/* ICU field of a single-letter numeric Java field: Java parses 1..19 digits ("01" for 'M'),
 * so the round-trip check compares it by value (ICU did), not by text; -1 for others. */
static int single_numeric_field(char c)
{
    switch (c) {
    case 'y': return UDAT_YEAR_FIELD;
    case 'u': return UDAT_EXTENDED_YEAR_FIELD;
    case 'M': return UDAT_MONTH_FIELD;
    case 'L': return UDAT_STANDALONE_MONTH_FIELD;
    case 'd': return UDAT_DATE_FIELD;
    case 'k': return UDAT_HOUR_OF_DAY1_FIELD;
    case 'H': return UDAT_HOUR_OF_DAY0_FIELD;
    case 'm': return UDAT_MINUTE_FIELD;
    case 's': return UDAT_SECOND_FIELD;
    case 'D': return UDAT_DAY_OF_YEAR_FIELD;
    case 'w': return UDAT_WEEK_OF_YEAR_FIELD;
    case 'h': return UDAT_HOUR1_FIELD;
    case 'K': return UDAT_HOUR0_FIELD;
    case 'Y': return UDAT_YEAR_WOY_FIELD;
    case 'A': return UDAT_MILLISECONDS_IN_DAY_FIELD;
    case 'g': return UDAT_JULIAN_DAY_FIELD;
    default: return -1;
    }
}

/* Translates Java pattern `pat` into an ICU pattern in `out` (UTF-8), keeping optional
 * section g when bit g of `keep` is set.  `offset_zone`: the zone is a fixed offset, whose
 * name java.time prints as its id ("+02:00", "Z"): zone-name letters become ICU 'XXX'.
 * Returns 0, or -1 with pt->err set.  pt->flags, pt->wild and pt->ngroups describe the whole
 * pattern (all sections). */
static int pattern_translate(const char *pat, size_t n, unsigned keep, int offset_zone, wr_buf *out,
                             tm_pattern *pt)
{
    int depth = 0, group = 0;
    int stack[8];
    int skip_depth = 0; /* > 0: inside an omitted optional section, at this depth */
    pt->flags = 0;
    pt->wild = (1ull << UDAT_TIMEZONE_FIELD) | (1ull << UDAT_TIMEZONE_RFC_FIELD) |
               (1ull << UDAT_TIMEZONE_GENERIC_FIELD) | (1ull << UDAT_TIMEZONE_SPECIAL_FIELD) |
               (1ull << UDAT_TIMEZONE_LOCALIZED_GMT_OFFSET_FIELD) |
               (1ull << UDAT_TIMEZONE_ISO_FIELD) | (1ull << UDAT_TIMEZONE_ISO_LOCAL_FIELD);
    for (size_t i = 0; i < n;) {
        char c = pat[i];
        int emit = skip_depth == 0;
        if (c == '\'') {
            size_t j = i + 1;
            for (;;) {
                if (j >= n) {
                    snprintf(pt->err, sizeof pt->err, "Pattern ends with an incomplete string literal: %.*s",
                             (int)(n > 100 ? 100 : n), pat);
                    return -1;
                }
                if (pat[j] == '\'') {
                    if (j + 1 < n && pat[j + 1] == '\'') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j++;
            }
            if (emit)
                wr_buf_append(out, pat + i, j + 1 - i);
            i = j + 1;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            size_t j = i;
            while (j < n && pat[j] == c)
                j++;
            int cnt = (int)(j - i);
            int max = letter_max(c);
            if (max == 0) {
                snprintf(pt->err, sizeof pt->err, "Unknown pattern letter: %c", c);
                return -1;
            }
            if (c == 'n' || c == 'N' || c == 'p') {
                snprintf(pt->err, sizeof pt->err, "Pattern letter '%c' is not supported", c);
                return -1;
            }
            if (max > 0 && cnt > max) {
                snprintf(pt->err, sizeof pt->err, "Too many pattern letters: %c", c);
                return -1;
            }
            if ((c == 'V' && cnt != 2) || ((c == 'O' || c == 'v') && cnt != 1 && cnt != 4)) {
                snprintf(pt->err, sizeof pt->err, "Pattern letter count must be %s: %c",
                         c == 'V' ? "2" : "1 or 4", c);
                return -1;
            }
            pt->flags |= letter_flags(c);
            if (c == 'S' && cnt > 3) {
                pt->flags |= PF_FINE;
                pt->wild |= 1ull << UDAT_FRACTIONAL_SECOND_FIELD;
            }
            if (cnt == 1 && single_numeric_field(c) >= 0)
                pt->wild |= 1ull << single_numeric_field(c);
            if (!emit) {
            } else if (offset_zone && (c == 'z' || c == 'v' || c == 'V')) {
                wr_buf_puts(out, "XXX");
            } else {
                char l = c == 'u' && cnt == 2 ? 'y' : c;
                for (int k = 0; k < cnt; k++)
                    wr_buf_putc(out, l);
            }
            i = j;
        } else if (c == '[') {
            if (depth == (int)(sizeof stack / sizeof stack[0])) {
                snprintf(pt->err, sizeof pt->err, "Optional sections nested too deeply");
                return -1;
            }
            stack[depth++] = group;
            if (skip_depth == 0 && group < 32 && !(keep & (1u << group)))
                skip_depth = depth;
            group++;
            i++;
        } else if (c == ']') {
            if (depth == 0) {
                snprintf(pt->err, sizeof pt->err,
                         "Pattern invalid as it contains ] without previous [");
                return -1;
            }
            if (skip_depth == depth)
                skip_depth = 0;
            depth--;
            i++;
        } else if (c == '#' || c == '{' || c == '}') {
            snprintf(pt->err, sizeof pt->err, "Pattern includes reserved character: '%c'", c);
            return -1;
        } else {
            /* ICU treats every non-letter as literal text, like Java */
            if (emit)
                wr_buf_putc(out, c);
            i++;
        }
    }
    pt->ngroups = group;
    return 0;
}

/* ---------------------------------------------------------------- zone ids */

/* Parses a Java ZoneOffset id ("+h", "+hh", "+hh:mm", "+hhmm", "+hh:mm:ss", "+hhmmss") into
 * seconds; -1 when malformed or beyond +-18:00. */
static int offset_parse(const char *s, size_t n, int *secs)
{
    if (n < 2 || (s[0] != '+' && s[0] != '-'))
        return -1;
    int d[6], nd = 0;
    size_t i = 1;
    int colon = -1;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (nd == 6)
                return -1;
            d[nd++] = s[i] - '0';
        } else if (s[i] == ':') {
            if (nd != 2 && nd != 4)
                return -1;
            if (colon == -1)
                colon = 1;
            if (i + 1 >= n)
                return -1;
        } else {
            return -1;
        }
    }
    int h, m = 0, sec = 0;
    size_t len = n - 1;
    if (nd == 1 && len == 1)
        h = d[0];
    else if (nd == 2 && len == 2)
        h = d[0] * 10 + d[1];
    else if (nd == 4 && (len == 4 || (len == 5 && s[3] == ':'))) {
        h = d[0] * 10 + d[1];
        m = d[2] * 10 + d[3];
    } else if (nd == 6 && (len == 6 || (len == 8 && s[3] == ':' && s[6] == ':'))) {
        h = d[0] * 10 + d[1];
        m = d[2] * 10 + d[3];
        sec = d[4] * 10 + d[5];
    } else
        return -1;
    if (h > 18 || m > 59 || sec > 59 || (h == 18 && (m || sec)))
        return -1;
    int total = h * 3600 + m * 60 + sec;
    *secs = s[0] == '-' ? -total : total;
    return 0;
}

/* Java short ids (ZoneId.SHORT_IDS) that ICU knows but ZoneId.of rejects. */
static int is_java_short_id(const char *z)
{
    static const char *const ids[] = {"ACT", "AET", "AGT", "ART", "AST", "BET", "BST", "CAT",
                                      "CNT", "CST", "CTT", "EAT", "ECT", "IET", "IST", "JST",
                                      "MIT", "NET", "NST", "PLT", "PNT", "PRT", "PST", "SST",
                                      "VST", NULL};
    for (int i = 0; ids[i]; i++)
        if (strcmp(ids[i], z) == 0)
            return 1;
    return 0;
}

/* Translates a Java zone id into an ICU time zone id (UTF-16, NUL-terminated).  Returns
 * 0 for a region id, 1 for a ZoneOffset ("Z", "+02:00"), -1 when ZoneId.of would throw. */
static int zone_to_icu(const char *z, size_t n, UChar *out, int cap)
{
    char id[128];
    if (n == 0 || n >= 64)
        return -1;
    int secs = 0, offset = 0;
    size_t plen = 0;
    if (n == 1 && z[0] == 'Z') {
        offset = 1;
        snprintf(id, sizeof id, "UTC");
    } else if (z[0] == '+' || z[0] == '-' ||
               ((plen = (n >= 3 && (memcmp(z, "UTC", 3) == 0 || memcmp(z, "GMT", 3) == 0)) ? 3
                        : (n >= 2 && memcmp(z, "UT", 2) == 0) ? 2 : 0) > 0 &&
                (n == plen || z[plen] == '+' || z[plen] == '-'))) {
        offset = plen == 0;
        if (plen == n) {
            snprintf(id, sizeof id, "%s", plen == 3 ? z : "UTC"); /* "GMT" prints as GMT */
        } else {
            if (offset_parse(z + plen, n - plen, &secs) != 0)
                return -1;
            int a = secs < 0 ? -secs : secs;
            /* ICU custom ids carry no seconds; Java offsets with seconds are vanishingly rare */
            snprintf(id, sizeof id, "GMT%c%02d:%02d", secs < 0 ? '-' : '+', a / 3600, a / 60 % 60);
        }
    } else {
        /* region id: [A-Za-z][A-Za-z0-9~/._+-]+ and known to tzdb */
        if (n < 2 || !((z[0] >= 'A' && z[0] <= 'Z') || (z[0] >= 'a' && z[0] <= 'z')))
            return -1;
        for (size_t i = 0; i < n; i++) {
            char c = z[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  strchr("~/._+-", c)))
                return -1;
        }
        memcpy(id, z, n);
        id[n] = 0;
        if (is_java_short_id(id))
            return -1;
        UChar uid[64], canon[128];
        u_charsToUChars(id, uid, (int32_t)n + 1);
        UBool sys = 0;
        UErrorCode st = U_ZERO_ERROR;
        int32_t cl = ucal_getCanonicalTimeZoneID(uid, (int32_t)n, canon, 128, &sys, &st);
        if (U_FAILURE(st) || !sys || cl <= 0)
            return -1;
    }
    size_t l = strlen(id);
    if ((int)l + 1 > cap)
        return -1;
    u_charsToUChars(id, out, (int32_t)l + 1);
    return offset;
}

/* ---------------------------------------------------------------- site cache */

/* One call site's opened ICU objects, valid for key = op + pattern + zone(s). */
typedef struct tm_site {
    int nfmt;
    UDateFormat *fmt[TM_MAX_VARIANTS]; /* [0] all optional sections present, then fewer */
    unsigned flags;                    /* PF_* of the pattern */
    uint64_t wild;                     /* tm_pattern.wild */
    UCalendar *cal[2];                 /* CONVERT_TZ: from, to */
} tm_site;

static void tm_site_free(void *data)
{
    tm_site *ts = data;
    if (!ts)
        return;
    for (int i = 0; i < ts->nfmt; i++)
        udat_close(ts->fmt[i]);
    for (int i = 0; i < 2; i++)
        if (ts->cal[i])
            ucal_close(ts->cal[i]);
    free(ts);
}

/* Returns the cached site data when the key matches; NULL otherwise (after freeing the old
 * data and recording the new key, so the caller builds and stores fresh data). */
static tm_site *site_get(wr_fn_site *site, const char *key, size_t key_len)
{
    if (site->data && site->key && site->key_len == key_len && memcmp(site->key, key, key_len) == 0)
        return site->data;
    if (site->data && site->free)
        site->free(site->data);
    site->data = NULL;
    site->free = NULL;
    free(site->key);
    site->key = wr_xmalloc(key_len + 1);
    memcpy(site->key, key, key_len);
    site->key[key_len] = 0;
    site->key_len = key_len;
    return NULL;
}

static void site_put(wr_fn_site *site, tm_site *ts)
{
    site->data = ts;
    site->free = tm_site_free;
}

/* Opens a calendar for ICU zone `zone` behaving like java.time: proleptic Gregorian, DST
 * overlaps take the earlier offset. */
static UCalendar *calendar_open(const UChar *zone, UErrorCode *st)
{
    UCalendar *cal = ucal_open(zone, -1, TM_LOCALE, UCAL_GREGORIAN, st);
    if (U_FAILURE(*st))
        return NULL;
    ucal_setGregorianChange(cal, -184303902528000000.0, st);
    ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
    ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_LAST);
    return cal;
}

/* Op codes, part of the cache key: a site is one function, but be safe. */
enum { OP_FMT_TS = 'T', OP_PARSE_TS = 't', OP_FMT_DATE = 'D', OP_PARSE_DATE = 'd',
       OP_FMT_TIME = 'M', OP_PARSE_TIME = 'm', OP_CONVERT = 'C' };

/* Gets (or builds) the formatters for pattern/zone at this site.  Returns NULL with
 * ctx->err set (WR_EDATA) when the pattern or zone is invalid. */
static tm_site *formatter_get(wr_fn_ctx *ctx, int op, const wr_value *pattern, const char *zone,
                              size_t zone_len)
{
    size_t klen = 1 + pattern->len + 1 + zone_len;
    char *key = wr_arena_alloc(ctx->arena, klen);
    key[0] = (char)op;
    memcpy(key + 1, pattern->u.s, pattern->len);
    key[1 + pattern->len] = 0;
    memcpy(key + 2 + pattern->len, zone, zone_len);
    tm_site *ts = site_get(ctx->site, key, klen);
    if (ts)
        return ts;

    UChar uzone[128];
    int offset_zone = zone_to_icu(zone, zone_len, uzone, 128);
    if (offset_zone < 0) {
        wr_error_set(ctx->err, WR_EDATA, "Unknown time-zone ID: %.*s", (int)zone_len, zone);
        return NULL;
    }
    tm_pattern pt = {0};
    wr_buf icu;
    wr_buf_init(&icu);
    if (pattern_translate(pattern->u.s, pattern->len, ~0u, offset_zone, &icu, &pt) != 0) {
        wr_buf_fini(&icu);
        wr_error_set(ctx->err, WR_EDATA, "Invalid pattern '%.*s': %s", (int)pattern->len,
                     pattern->u.s, pt.err);
        return NULL;
    }
    ts = wr_xcalloc(1, sizeof *ts);
    ts->flags = pt.flags;
    ts->wild = pt.wild;
    int groups = pt.ngroups > 4 ? 4 : pt.ngroups;
    int nvar = (op == OP_PARSE_TS || op == OP_PARSE_DATE || op == OP_PARSE_TIME) ? 1 << groups : 1;
    UErrorCode st = U_ZERO_ERROR;
    UCalendar *cal = calendar_open(uzone, &st);
    for (int v = 0; v < nvar && U_SUCCESS(st); v++) {
        /* bit g of v omits optional section g (< 4): all sections first */
        unsigned keep = ~(unsigned)v;
        wr_buf_reset(&icu);
        tm_pattern ptv = {0};
        pattern_translate(pattern->u.s, pattern->len, keep, offset_zone, &icu, &ptv);
        UChar upat[TM_PARSE_MAX];
        int32_t ulen = 0;
        u_strFromUTF8(upat, TM_PARSE_MAX, &ulen, icu.data ? icu.data : "", (int32_t)icu.len, &st);
        if (U_FAILURE(st))
            break;
        UDateFormat *f = udat_open(UDAT_PATTERN, UDAT_PATTERN, TM_LOCALE, uzone, -1, upat, ulen, &st);
        if (U_FAILURE(st))
            break;
        ts->fmt[ts->nfmt++] = f;
        udat_setCalendar(f, cal);
        udat_setLenient(f, 0);
        udat_setBooleanAttribute(f, UDAT_PARSE_ALLOW_WHITESPACE, 0, &st);
        udat_setBooleanAttribute(f, UDAT_PARSE_ALLOW_NUMERIC, 0, &st);
        udat_setBooleanAttribute(f, UDAT_PARSE_PARTIAL_LITERAL_MATCH, 0, &st);
        udat_setBooleanAttribute(f, UDAT_PARSE_MULTIPLE_PATTERNS_FOR_MATCH, 0, &st);
        udat_set2DigitYearStart(f, 946684800000.0, &st); /* 'yy' is 2000..2099 like Java */
    }
    if (cal)
        ucal_close(cal);
    wr_buf_fini(&icu);
    if (U_FAILURE(st)) {
        tm_site_free(ts);
        wr_error_set(ctx->err, WR_EDATA, "Invalid pattern '%.*s': %s", (int)pattern->len,
                     pattern->u.s, u_errorName(st));
        return NULL;
    }
    site_put(ctx->site, ts);
    return ts;
}

/* ---------------------------------------------------------------- format / parse */

/* Formats epoch ms `ms` with the site's formatter into a STRING value. */
static int format_ms(wr_fn_ctx *ctx, tm_site *ts, double ms, wr_value *out, const char *what,
                     const wr_value *pattern)
{
    UChar buf[512];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = udat_format(ts->fmt[0], ms, buf, 512, NULL, &st);
    UChar *src = buf;
    if (st == U_BUFFER_OVERFLOW_ERROR) {
        src = wr_arena_alloc(ctx->arena, (size_t)(n + 1) * sizeof(UChar));
        st = U_ZERO_ERROR;
        n = udat_format(ts->fmt[0], ms, src, n + 1, NULL, &st);
    }
    if (U_FAILURE(st))
        return wr_error_set(ctx->err, WR_EDATA, "Failed to format %s with formatter '%.*s': %s",
                            what, (int)pattern->len, pattern->u.s, u_errorName(st));
    char *dst = wr_arena_alloc(ctx->arena, (size_t)n * 3 + 1);
    int32_t len = 0;
    u_strToUTF8(dst, n * 3 + 1, &len, src, n, &st);
    if (U_FAILURE(st))
        return wr_error_set(ctx->err, WR_EDATA, "Failed to format %s: %s", what, u_errorName(st));
    *out = wr_str(dst, (size_t)len);
    return 0;
}

/* The strictness check of a successful parse: the parsed fields, formatted back (in UTC),
 * must reproduce `text`.  That gives java.time's fixed widths ('MM' needs two digits, 'SSS'
 * three) and case-sensitive names.  Fields in `wild` print differently from what was
 * parsed (zones: "Z" for "+00:00"; fractions finer than ms, which we do not keep; 'M'
 * accepting "01"), so they match any non-empty text: the formatted-back value is a glob
 * with those fields as wildcards (ICU has already checked their values). */
static int roundtrip_ok(UDateFormat *f, UCalendar *cal, const UChar *text, int32_t n, uint64_t wild,
                        UErrorCode *st)
{
    UChar back[TM_PARSE_MAX];
    UFieldPositionIterator *it = ufieldpositer_open(st);
    int32_t bn = udat_formatCalendarForFields(f, cal, back, TM_PARSE_MAX, it, st);
    int32_t ws[16], we[16];
    int nw = 0;
    if (U_SUCCESS(*st)) {
        int32_t b, e;
        int field;
        while ((field = ufieldpositer_next(it, &b, &e)) >= 0 && nw < 16) {
            if (field >= 64 || !(wild & (1ull << field)))
                continue;
            int k = nw++; /* keep sorted by start */
            while (k > 0 && ws[k - 1] > b) {
                ws[k] = ws[k - 1];
                we[k] = we[k - 1];
                k--;
            }
            ws[k] = b;
            we[k] = e;
        }
    }
    ufieldpositer_close(it);
    if (U_FAILURE(*st))
        return 0;
    /* literal segments: [0, ws0) [we0, ws1) ... [we_last, bn) */
    int32_t pos = 0;
    for (int i = 0; i <= nw; i++) {
        int32_t from = i == 0 ? 0 : we[i - 1];
        int32_t len = (i == nw ? bn : ws[i]) - from;
        if (i == 0) {
            if (len > n || u_memcmp(text, back, len) != 0)
                return 0;
            pos = len;
        } else if (i == nw) {
            /* the last segment is a suffix; the wildcard before it is non-empty */
            return n - len >= pos + 1 && u_memcmp(text + n - len, back + from, len) == 0;
        } else {
            int32_t at = -1;
            for (int32_t p = pos + 1; p + len <= n; p++)
                if (u_memcmp(text + p, back + from, len) == 0) {
                    at = p;
                    break;
                }
            if (at < 0)
                return 0;
            pos = at + len;
        }
    }
    return pos == n;
}

/* java.time's SMART resolver turns day 29..31 of a shorter month into the month's last day
 * (2021-02-30 -> 2021-02-28); ICU (non-lenient) rejects it.  When that is the only invalid
 * field, sets the day on both calendars (`utc`: the validation copy) and returns 1. */
static int clamp_day(UCalendar *cal, UCalendar *utc)
{
    UErrorCode st = U_ZERO_ERROR;
    UCalendar *probe = ucal_clone(utc, &st);  /* day 1: are the other fields valid? */
    UCalendar *roll = ucal_clone(utc, &st);   /* lenient: how far past the month end? */
    int ok = 0;
    if (U_SUCCESS(st)) {
        ucal_set(probe, UCAL_DATE, 1);
        (void)ucal_getMillis(probe, &st);
        ucal_setAttribute(roll, UCAL_LENIENT, 1);
        int32_t month = ucal_get(probe, UCAL_MONTH, &st);
        int32_t last = ucal_getLimit(probe, UCAL_DATE, UCAL_ACTUAL_MAXIMUM, &st);
        int32_t rmonth = ucal_get(roll, UCAL_MONTH, &st);
        int32_t over = ucal_get(roll, UCAL_DATE, &st);
        if (U_SUCCESS(st) && rmonth == (month + 1) % 12 && last + over <= 31 && last + over > last) {
            ucal_set(utc, UCAL_DATE, last);
            ucal_set(cal, UCAL_DATE, last);
            (void)ucal_getMillis(utc, &st);
            ok = U_SUCCESS(st);
        }
    }
    if (probe)
        ucal_close(probe);
    if (roll)
        ucal_close(roll);
    return ok;
}

/* Parses `text` with the site's formatters (each optional-section variant in turn) into a
 * calendar the caller must close.  Returns NULL with ctx->err set when no variant matches
 * the whole text. */
static UCalendar *parse_text(wr_fn_ctx *ctx, tm_site *ts, const wr_value *text, const char *what,
                             const wr_value *pattern)
{
    UChar *utext = wr_arena_alloc(ctx->arena, ((size_t)text->len + 1) * sizeof(UChar));
    int32_t ulen = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(utext, (int32_t)text->len + 1, &ulen, text->u.s, (int32_t)text->len, &st);
    int32_t best = 0;
    if (U_SUCCESS(st)) {
        for (int v = 0; v < ts->nfmt; v++) {
            UDateFormat *f = ts->fmt[v];
            UCalendar *cal = ucal_clone(udat_getCalendar(f), &st);
            if (U_FAILURE(st))
                break;
            ucal_clear(cal);
            int32_t pos = 0;
            udat_parseCalendar(f, cal, utext, ulen, &pos, &st);
            if (U_SUCCESS(st) && pos == ulen) {
                /* Validate the fields (non-lenient: month 13 fails).  Fast path: in the
                 * calendar's own zone.  That fails for a local time in a DST gap too, which
                 * java.time shifts instead, so then validate the wall clock in UTC. */
                uint64_t wild = ts->wild;
                UCalendar *utc = NULL;
                (void)ucal_getMillis(cal, &st);
                if (U_FAILURE(st)) {
                    st = U_ZERO_ERROR;
                    utc = ucal_clone(cal, &st);
                    if (U_SUCCESS(st)) {
                        ucal_setTimeZone(utc, u"UTC", -1, &st);
                        (void)ucal_getMillis(utc, &st);
                        if (U_FAILURE(st) && clamp_day(cal, utc)) {
                            st = U_ZERO_ERROR;
                            wild |= 1ull << UDAT_DATE_FIELD;
                        }
                    }
                }
                if (U_SUCCESS(st) && !roundtrip_ok(f, utc ? utc : cal, utext, ulen, wild, &st))
                    st = U_PARSE_ERROR;
                if (utc)
                    ucal_close(utc);
                if (U_SUCCESS(st)) {
                    ucal_setAttribute(cal, UCAL_LENIENT, 1);
                    (void)ucal_getMillis(cal, &st);
                }
                if (U_SUCCESS(st))
                    return cal;
            }
            if (pos > best)
                best = pos;
            ucal_close(cal);
            st = U_ZERO_ERROR;
        }
    }
    wr_error_set(ctx->err, WR_EDATA,
                 "Failed to parse %s '%.*s' with formatter '%.*s': Text '%.*s' could not be "
                 "parsed at index %d", what, (int)text->len, text->u.s, (int)pattern->len,
                 pattern->u.s, (int)text->len, text->u.s, (int)best);
    return NULL;
}


/* Zone argument: argv[i] when present, else the default: GMT for FORMAT_/PARSE_TIMESTAMP
 * (as ksqlDB), UTC for the legacy functions (ksqlDB: the JVM's zone; weir: UTC). */
static void zone_arg(const char *def, int argc, const wr_value *argv, int i, const char **z,
                     size_t *n)
{
    if (argc > i) {
        *z = argv[i].u.s;
        *n = argv[i].len;
    } else {
        *z = def;
        *n = strlen(def);
    }
}

/* Formats epoch ms with pattern argv[1] and the zone argv[2] (or UTC). */
static int timestamp_format(wr_fn_ctx *ctx, int argc, const wr_value *argv, int64_t ms,
                            const char *defzone, wr_value *out)
{
    const char *z;
    size_t zn;
    zone_arg(defzone, argc, argv, 2, &z, &zn);
    tm_site *ts = formatter_get(ctx, OP_FMT_TS, &argv[1], z, zn);
    if (!ts)
        return WR_EDATA;
    char what[48];
    snprintf(what, sizeof what, "timestamp %lld", (long long)ms);
    return format_ms(ctx, ts, (double)ms, out, what, &argv[1]);
}

/* Parses argv[0] with pattern argv[1] in zone argv[2] (or UTC) into epoch ms. */
static int timestamp_parse(wr_fn_ctx *ctx, int argc, const wr_value *argv, const char *defzone,
                           int64_t *ms)
{
    const char *z;
    size_t zn;
    zone_arg(defzone, argc, argv, 2, &z, &zn);
    tm_site *ts = formatter_get(ctx, OP_PARSE_TS, &argv[1], z, zn);
    if (!ts)
        return WR_EDATA;
    UCalendar *cal = parse_text(ctx, ts, &argv[0], "timestamp", &argv[1]);
    if (!cal)
        return WR_EDATA;
    UErrorCode st = U_ZERO_ERROR;
    double d = ucal_getMillis(cal, &st);
    ucal_close(cal);
    *ms = (int64_t)d;
    return 0;
}

/* Formats a date (days) or time (ms of day): the pattern must not need what the value lacks
 * (java.time: "Unsupported field: HourOfDay"). */
static int local_format(wr_fn_ctx *ctx, int op, int64_t ms, const wr_value *pattern, wr_value *out,
                        const char *what)
{
    tm_site *ts = formatter_get(ctx, op, pattern, "UTC", 3);
    if (!ts)
        return WR_EDATA;
    unsigned bad = op == OP_FMT_DATE ? (PF_TIME | PF_ZONE) : (PF_DATE | PF_ZONE);
    if (ts->flags & bad)
        return wr_error_set(ctx->err, WR_EDATA, "Failed to format %s with formatter '%.*s': %s",
                            what, (int)pattern->len, pattern->u.s,
                            ts->flags & PF_ZONE ? "Unable to extract ZoneId from temporal"
                            : op == OP_FMT_DATE ? "Unsupported field: HourOfDay"
                                                : "Unsupported field: YearOfEra");
    return format_ms(ctx, ts, (double)ms, out, what, pattern);
}

/* Parses a date: days since epoch.  Needs year + month + day (or day of year), no time. */
static int date_parse(wr_fn_ctx *ctx, const wr_value *text, const wr_value *pattern, int64_t *days)
{
    tm_site *ts = formatter_get(ctx, OP_PARSE_DATE, pattern, "UTC", 3);
    if (!ts)
        return WR_EDATA;
    if (ts->flags & PF_TIME)
        return wr_error_set(ctx->err, WR_EDATA, "Failed to parse date '%.*s' with formatter '%.*s': "
                            "Date format contains time field.", (int)text->len, text->u.s,
                            (int)pattern->len, pattern->u.s);
    UCalendar *cal = parse_text(ctx, ts, text, "date", pattern);
    if (!cal)
        return WR_EDATA;
    unsigned f = ts->flags;
    if (!(f & PF_YEAR) || !((f & PF_MONTH && f & PF_DOM) || (f & PF_DOY))) {
        ucal_close(cal);
        return wr_error_set(ctx->err, WR_EDATA, "Failed to parse date '%.*s' with formatter '%.*s': "
                            "Unable to obtain LocalDate from TemporalAccessor", (int)text->len,
                            text->u.s, (int)pattern->len, pattern->u.s);
    }
    UErrorCode st = U_ZERO_ERROR;
    /* local fields: a zone in the text does not move the date (LocalDate.from) */
    int32_t y = ucal_get(cal, UCAL_EXTENDED_YEAR, &st);
    int32_t m = ucal_get(cal, UCAL_MONTH, &st);
    int32_t d = ucal_get(cal, UCAL_DATE, &st);
    ucal_close(cal);
    *days = wr_days_from_civil(y, m + 1, d);
    return 0;
}

/* Parses a time of day: ms since midnight.  Needs an hour, no date. */
static int time_parse(wr_fn_ctx *ctx, const wr_value *text, const wr_value *pattern, int64_t *ms)
{
    tm_site *ts = formatter_get(ctx, OP_PARSE_TIME, pattern, "UTC", 3);
    if (!ts)
        return WR_EDATA;
    if (ts->flags & PF_DATE)
        return wr_error_set(ctx->err, WR_EDATA, "Failed to parse time '%.*s' with formatter '%.*s': "
                            "Time format contains date field.", (int)text->len, text->u.s,
                            (int)pattern->len, pattern->u.s);
    UCalendar *cal = parse_text(ctx, ts, text, "time", pattern);
    if (!cal)
        return WR_EDATA;
    unsigned f = ts->flags;
    if (!(f & PF_HOUR) && !((f & PF_HOUR12) && (f & PF_AMPM))) {
        ucal_close(cal);
        return wr_error_set(ctx->err, WR_EDATA, "Failed to parse time '%.*s' with formatter '%.*s': "
                            "Unable to obtain LocalTime from TemporalAccessor", (int)text->len,
                            text->u.s, (int)pattern->len, pattern->u.s);
    }
    UErrorCode st = U_ZERO_ERROR;
    int32_t h = ucal_get(cal, UCAL_HOUR_OF_DAY, &st);
    int32_t mi = ucal_get(cal, UCAL_MINUTE, &st);
    int32_t s = ucal_get(cal, UCAL_SECOND, &st);
    int32_t milli = ucal_get(cal, UCAL_MILLISECOND, &st);
    ucal_close(cal);
    *ms = ((int64_t)h * 3600 + mi * 60 + s) * 1000 + milli;
    return 0;
}

/* ---------------------------------------------------------------- time units */

/* Nanoseconds per unit for the canonical unit names the compiler passes (TIMESTAMPADD's
 * first argument); 0 when unknown. */
static int64_t unit_nanos(const wr_value *u)
{
    static const struct { const char *name; int64_t ns; } units[] = {
        {"NANOSECONDS", 1LL},          {"MICROSECONDS", 1000LL},
        {"MILLISECONDS", 1000000LL},   {"SECONDS", 1000000000LL},
        {"MINUTES", 60000000000LL},    {"HOURS", 3600000000000LL},
        {"DAYS", 86400000000000LL},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (wr_strncaseeq_n(u->u.s, u->len, units[i].name))
            return units[i].ns;
    /* singular spellings (MINUTE) in case a literal string reaches us */
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t l = strlen(units[i].name);
        if (u->len + 1 == l && strncasecmp(u->u.s, units[i].name, u->len) == 0)
            return units[i].ns;
    }
    return 0;
}

static int64_t sat64(wr_int128 v)
{
    if (v > INT64_MAX)
        return INT64_MAX;
    if (v < INT64_MIN)
        return INT64_MIN;
    return (int64_t)v;
}

/* java.util.concurrent.TimeUnit.toMillis: saturating for coarse units, truncating for fine. */
static int64_t unit_to_millis(int64_t ns_per_unit, int64_t d)
{
    if (ns_per_unit >= 1000000)
        return sat64((wr_int128)d * (ns_per_unit / 1000000));
    return d / (1000000 / ns_per_unit);
}

static int unit_get(wr_fn_ctx *ctx, const wr_value *u, int64_t *ns)
{
    *ns = unit_nanos(u);
    if (!*ns)
        return wr_error_set(ctx->err, WR_EDATA, "Unknown time unit: %.*s", (int)u->len, u->u.s);
    return 0;
}

/* Java long arithmetic wraps silently. */
static int64_t wrap_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* ---------------------------------------------------------------- implementations */

static int fn_unix_timestamp(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_bigint(argc == 0 ? ctx->now_ms : argv[0].u.i);
    return 0;
}

static int fn_unix_date(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_int((int32_t)(argc == 0 ? wr_floor_div(ctx->now_ms, MS_PER_DAY) : argv[0].u.i));
    return 0;
}

static int fn_from_unixtime(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_i64(WR_TIMESTAMP, argv[0].u.i);
    return 0;
}

static int fn_from_days(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = wr_i64(WR_DATE, argv[0].u.i);
    return 0;
}

static int fn_timestamptostring(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return timestamp_format(ctx, argc, argv, argv[0].u.i, "UTC", out);
}

static int fn_format_timestamp(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return timestamp_format(ctx, argc, argv, argv[0].u.i, "GMT", out);
}

static int fn_stringtotimestamp(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    int64_t ms = 0;
    int rc = timestamp_parse(ctx, argc, argv, "UTC", &ms);
    if (rc == 0)
        *out = wr_bigint(ms);
    return rc;
}

static int fn_parse_timestamp(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    int64_t ms = 0;
    int rc = timestamp_parse(ctx, argc, argv, "GMT", &ms);
    if (rc == 0)
        *out = wr_i64(WR_TIMESTAMP, ms);
    return rc;
}

static int fn_datetostring(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    char what[48];
    snprintf(what, sizeof what, "date %lld", (long long)argv[0].u.i);
    return local_format(ctx, OP_FMT_DATE, argv[0].u.i * MS_PER_DAY, &argv[1], out, what);
}

static int fn_format_date(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return fn_datetostring(ctx, argc, argv, out);
}

static int fn_stringtodate(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    int64_t days = 0;
    int rc = date_parse(ctx, &argv[0], &argv[1], &days);
    if (rc == 0)
        *out = wr_int((int32_t)days);
    return rc;
}

static int fn_parse_date(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    int64_t days = 0;
    int rc = date_parse(ctx, &argv[0], &argv[1], &days);
    if (rc == 0)
        *out = wr_i64(WR_DATE, days);
    return rc;
}

static int fn_format_time(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    char what[48];
    snprintf(what, sizeof what, "time %lld", (long long)argv[0].u.i);
    return local_format(ctx, OP_FMT_TIME, argv[0].u.i, &argv[1], out, what);
}

static int fn_parse_time(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    int64_t ms = 0;
    int rc = time_parse(ctx, &argv[0], &argv[1], &ms);
    if (rc == 0)
        *out = wr_i64(WR_TIME, ms);
    return rc;
}

/* CONVERT_TZ: ksqlDB shifts the instant by (offset of `to` - offset of `from`), both taken
 * at the instant itself. */
static int fn_convert_tz(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    const wr_value *from = &argv[1], *to = &argv[2];
    size_t klen = 1 + from->len + 1 + to->len;
    char *key = wr_arena_alloc(ctx->arena, klen);
    key[0] = OP_CONVERT;
    memcpy(key + 1, from->u.s, from->len);
    key[1 + from->len] = 0;
    memcpy(key + 2 + from->len, to->u.s, to->len);
    tm_site *ts = site_get(ctx->site, key, klen);
    if (!ts) {
        UChar zf[128], zt[128];
        if (zone_to_icu(from->u.s, from->len, zf, 128) < 0)
            return wr_error_set(ctx->err, WR_EDATA, "Invalid time zone: Unknown time-zone ID: %.*s",
                                (int)from->len, from->u.s);
        if (zone_to_icu(to->u.s, to->len, zt, 128) < 0)
            return wr_error_set(ctx->err, WR_EDATA, "Invalid time zone: Unknown time-zone ID: %.*s",
                                (int)to->len, to->u.s);
        UErrorCode st = U_ZERO_ERROR;
        ts = wr_xcalloc(1, sizeof *ts);
        ts->cal[0] = calendar_open(zf, &st);
        ts->cal[1] = calendar_open(zt, &st);
        if (U_FAILURE(st)) {
            tm_site_free(ts);
            return wr_error_set(ctx->err, WR_EDATA, "Invalid time zone: %s", u_errorName(st));
        }
        site_put(ctx->site, ts);
    }
    int64_t ms = argv[0].u.i;
    int32_t off[2];
    for (int i = 0; i < 2; i++) {
        UErrorCode st = U_ZERO_ERROR;
        ucal_setMillis(ts->cal[i], (double)ms, &st);
        off[i] = ucal_get(ts->cal[i], UCAL_ZONE_OFFSET, &st) + ucal_get(ts->cal[i], UCAL_DST_OFFSET, &st);
        if (U_FAILURE(st))
            return wr_error_set(ctx->err, WR_EDATA, "Failed to convert timestamp %lld: %s",
                                (long long)ms, u_errorName(st));
    }
    *out = wr_i64(WR_TIMESTAMP, wrap_add(ms, (int64_t)off[1] - off[0]));
    return 0;
}

/* DATEADD / DATESUB: ksqlDB adds unit.toMillis(n) to the date's midnight and truncates the
 * sum to whole days toward zero (TimeUnit.MILLISECONDS.toDays). */
static int date_shift(wr_fn_ctx *ctx, const wr_value *argv, int sign, wr_value *out)
{
    int64_t ns;
    if (unit_get(ctx, &argv[0], &ns) != 0)
        return WR_EDATA;
    int64_t delta = unit_to_millis(ns, argv[1].u.i);
    int64_t base = (int64_t)((uint64_t)argv[2].u.i * (uint64_t)MS_PER_DAY);
    int64_t ms = sign > 0 ? wrap_add(base, delta) : (int64_t)((uint64_t)base - (uint64_t)delta);
    *out = wr_i64(WR_DATE, ms / MS_PER_DAY);
    return 0;
}

static int fn_dateadd(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return date_shift(ctx, argv, 1, out);
}

static int fn_datesub(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return date_shift(ctx, argv, -1, out);
}

/* TIMEADD / TIMESUB: LocalTime.plus(unit.toNanos(n), NANOS), wrapping around midnight. */
static int time_shift(wr_fn_ctx *ctx, const wr_value *argv, int sign, wr_value *out)
{
    int64_t ns;
    if (unit_get(ctx, &argv[0], &ns) != 0)
        return WR_EDATA;
    wr_int128 delta = sat64((wr_int128)argv[1].u.i * ns); /* TimeUnit.toNanos saturates */
    if (sign < 0)
        delta = -delta;
    wr_int128 nofd = (wr_int128)argv[2].u.i * 1000000;
    wr_int128 r = ((delta % NS_PER_DAY) + nofd + NS_PER_DAY) % NS_PER_DAY;
    *out = wr_i64(WR_TIME, (int64_t)(r / 1000000));
    return 0;
}

static int fn_timeadd(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return time_shift(ctx, argv, 1, out);
}

static int fn_timesub(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return time_shift(ctx, argv, -1, out);
}

/* TIMESTAMPADD / TIMESTAMPSUB: epoch ms +- unit.toMillis(n), Java long arithmetic. */
static int timestamp_shift(wr_fn_ctx *ctx, const wr_value *argv, int sign, wr_value *out)
{
    int64_t ns;
    if (unit_get(ctx, &argv[0], &ns) != 0)
        return WR_EDATA;
    int64_t delta = unit_to_millis(ns, argv[1].u.i);
    int64_t ms = argv[2].u.i;
    *out = wr_i64(WR_TIMESTAMP,
                  sign > 0 ? wrap_add(ms, delta) : (int64_t)((uint64_t)ms - (uint64_t)delta));
    return 0;
}

static int fn_timestampadd(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return timestamp_shift(ctx, argv, 1, out);
}

static int fn_timestampsub(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    return timestamp_shift(ctx, argv, -1, out);
}

/* ---------------------------------------------------------------- resolvers */

/* Matches argt against signatures written one letter per parameter:
 *   T TIMESTAMP  D DATE  M TIME  S STRING  I INT  L BIGINT (INT widened)  U time unit (STRING)
 * A NULL-typed argument fits any parameter.  Returns ret, or NULL with rc->errmsg. */
static const wr_type *sig_resolve(wr_fn_resolve_ctx *rc, const char *name, int argc,
                                  const wr_type *const *argt, const char *const *sigs,
                                  const wr_type *ret)
{
    for (int s = 0; sigs[s]; s++) {
        const char *sig = sigs[s];
        if ((int)strlen(sig) != argc)
            continue;
        int ok = 1;
        for (int i = 0; i < argc && ok; i++) {
            wr_kind k = argt[i] ? argt[i]->kind : WR_NULL;
            if (k == WR_NULL)
                continue;
            switch (sig[i]) {
            case 'T': ok = k == WR_TIMESTAMP; break;
            case 'D': ok = k == WR_DATE; break;
            case 'M': ok = k == WR_TIME; break;
            case 'S': case 'U': ok = k == WR_STRING; break;
            case 'I': ok = k == WR_INT; break;
            case 'L': ok = k == WR_INT || k == WR_BIGINT; break;
            default: ok = 0;
            }
        }
        if (!ok)
            continue;
        for (int i = 0; i < argc; i++) {
            wr_kind k = argt[i] ? argt[i]->kind : WR_NULL;
            if (sig[i] == 'L' && k == WR_INT)
                rc->coerce[i] = &wr_type_bigint;
        }
        return ret;
    }
    return wr_fn_bad_args(rc, name, argc, argt);
}

#define RESOLVER(fname, NAME, ret, ...)                                                        \
    static const wr_type *fname(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)   \
    {                                                                                          \
        static const char *const sigs[] = {__VA_ARGS__, NULL};                                 \
        return sig_resolve(rc, NAME, argc, argt, sigs, ret);                                   \
    }

RESOLVER(rs_unix_timestamp, "UNIX_TIMESTAMP", &wr_type_bigint, "", "T")
RESOLVER(rs_unix_date, "UNIX_DATE", &wr_type_int, "", "D")
RESOLVER(rs_from_unixtime, "FROM_UNIXTIME", &wr_type_timestamp, "L")
RESOLVER(rs_from_days, "FROM_DAYS", &wr_type_date, "I")
RESOLVER(rs_timestamptostring, "TIMESTAMPTOSTRING", &wr_type_string, "LS", "LSS")
RESOLVER(rs_stringtotimestamp, "STRINGTOTIMESTAMP", &wr_type_bigint, "SS", "SSS")
RESOLVER(rs_datetostring, "DATETOSTRING", &wr_type_string, "IS")
RESOLVER(rs_stringtodate, "STRINGTODATE", &wr_type_int, "SS")
RESOLVER(rs_format_timestamp, "FORMAT_TIMESTAMP", &wr_type_string, "TS", "TSS")
RESOLVER(rs_parse_timestamp, "PARSE_TIMESTAMP", &wr_type_timestamp, "SS", "SSS")
RESOLVER(rs_format_date, "FORMAT_DATE", &wr_type_string, "DS")
RESOLVER(rs_parse_date, "PARSE_DATE", &wr_type_date, "SS")
RESOLVER(rs_format_time, "FORMAT_TIME", &wr_type_string, "MS")
RESOLVER(rs_parse_time, "PARSE_TIME", &wr_type_time, "SS")
RESOLVER(rs_convert_tz, "CONVERT_TZ", &wr_type_timestamp, "TSS")
RESOLVER(rs_dateadd, "DATEADD", &wr_type_date, "UID")
RESOLVER(rs_datesub, "DATESUB", &wr_type_date, "UID")
RESOLVER(rs_timeadd, "TIMEADD", &wr_type_time, "UIM")
RESOLVER(rs_timesub, "TIMESUB", &wr_type_time, "UIM")
RESOLVER(rs_timestampadd, "TIMESTAMPADD", &wr_type_timestamp, "ULT")
RESOLVER(rs_timestampsub, "TIMESTAMPSUB", &wr_type_timestamp, "ULT")

/* ---------------------------------------------------------------- registry */

#define V(...) ((const char *const[]){__VA_ARGS__, NULL})
#define CAT "DATE / TIME"
#define NN WR_FN_NULL_IN_NULL_OUT

const wr_scalar_def wr_fns_time[] = {
    {"CONVERT_TZ", CAT,
     "Converts a TIMESTAMP value from one time zone to another. Time zones are java.time zone "
     "ids such as 'America/Los_Angeles', 'UTC' or '+02:00'.",
     V("CONVERT_TZ(timestamp TIMESTAMP, from_tz STRING, to_tz STRING) => TIMESTAMP"), 3, 3, NN,
     rs_convert_tz, NULL, fn_convert_tz},
    {"DATEADD", CAT, "Adds a duration to a DATE value. The unit is DAYS, HOURS, ... ; the result "
     "is truncated to whole days.",
     V("DATEADD(unit INTERVALUNIT, interval INT, date DATE) => DATE"), 3, 3, NN, rs_dateadd, NULL,
     fn_dateadd},
    {"DATESUB", CAT, "Subtracts a duration from a DATE value.",
     V("DATESUB(unit INTERVALUNIT, interval INT, date DATE) => DATE"), 3, 3, NN, rs_datesub, NULL,
     fn_datesub},
    {"DATETOSTRING", CAT,
     "Converts an INT number of days since epoch into a date string using the given format "
     "pattern (java.time.format.DateTimeFormatter syntax).",
     V("DATETOSTRING(epochDays INT, formatPattern STRING) => STRING"), 2, 2, NN, rs_datetostring,
     NULL, fn_datetostring},
    {"FORMAT_DATE", CAT,
     "Converts a DATE value into a string using the given format pattern "
     "(java.time.format.DateTimeFormatter syntax).",
     V("FORMAT_DATE(date DATE, formatPattern STRING) => STRING"), 2, 2, NN, rs_format_date, NULL,
     fn_format_date},
    {"FORMAT_TIME", CAT,
     "Converts a TIME value into a string using the given format pattern "
     "(java.time.format.DateTimeFormatter syntax).",
     V("FORMAT_TIME(time TIME, formatPattern STRING) => STRING"), 2, 2, NN, rs_format_time, NULL,
     fn_format_time},
    {"FORMAT_TIMESTAMP", CAT,
     "Converts a TIMESTAMP value into a string using the given format pattern, in the given "
     "time zone (UTC when omitted). Single quotes in the pattern are escaped with ''.",
     V("FORMAT_TIMESTAMP(timestamp TIMESTAMP, formatPattern STRING) => STRING",
       "FORMAT_TIMESTAMP(timestamp TIMESTAMP, formatPattern STRING, timeZone STRING) => STRING"),
     2, 3, NN, rs_format_timestamp, NULL, fn_format_timestamp},
    {"FROM_DAYS", CAT, "Converts an INT number of days since epoch to a DATE value.",
     V("FROM_DAYS(days INT) => DATE"), 1, 1, NN, rs_from_days, NULL, fn_from_days},
    {"FROM_UNIXTIME", CAT, "Converts a BIGINT millisecond timestamp value into a TIMESTAMP value.",
     V("FROM_UNIXTIME(milliseconds BIGINT) => TIMESTAMP"), 1, 1, NN, rs_from_unixtime, NULL,
     fn_from_unixtime},
    {"PARSE_DATE", CAT,
     "Converts a string representation of a date in the given format into a DATE value.",
     V("PARSE_DATE(formattedDate STRING, formatPattern STRING) => DATE"), 2, 2, NN, rs_parse_date,
     NULL, fn_parse_date},
    {"PARSE_TIME", CAT,
     "Converts a string representation of a time in the given format into a TIME value.",
     V("PARSE_TIME(formattedTime STRING, formatPattern STRING) => TIME"), 2, 2, NN, rs_parse_time,
     NULL, fn_parse_time},
    {"PARSE_TIMESTAMP", CAT,
     "Converts a string value in the given format into a TIMESTAMP value. A zone in the text "
     "wins; otherwise the given time zone (UTC when omitted) is used.",
     V("PARSE_TIMESTAMP(formattedTimestamp STRING, formatPattern STRING) => TIMESTAMP",
       "PARSE_TIMESTAMP(formattedTimestamp STRING, formatPattern STRING, timeZone STRING) => "
       "TIMESTAMP"),
     2, 3, NN, rs_parse_timestamp, NULL, fn_parse_timestamp},
    {"STRINGTODATE", CAT,
     "Converts a string representation of a date in the given format into an INT number of "
     "days since epoch.",
     V("STRINGTODATE(formattedDate STRING, formatPattern STRING) => INT"), 2, 2, NN,
     rs_stringtodate, NULL, fn_stringtodate},
    {"STRINGTOTIMESTAMP", CAT,
     "Converts a string value in the given format into a BIGINT millisecond timestamp. A zone "
     "in the text wins; otherwise the given time zone (UTC when omitted) is used.",
     V("STRINGTOTIMESTAMP(formattedTimestamp STRING, formatPattern STRING) => BIGINT",
       "STRINGTOTIMESTAMP(formattedTimestamp STRING, formatPattern STRING, timeZone STRING) => "
       "BIGINT"),
     2, 3, NN, rs_stringtotimestamp, NULL, fn_stringtotimestamp},
    {"TIMEADD", CAT, "Adds a duration to a TIME value, wrapping around midnight.",
     V("TIMEADD(unit INTERVALUNIT, interval INT, time TIME) => TIME"), 3, 3, NN, rs_timeadd, NULL,
     fn_timeadd},
    {"TIMESTAMPADD", CAT, "Adds a duration to a TIMESTAMP value.",
     V("TIMESTAMPADD(unit INTERVALUNIT, interval BIGINT, timestamp TIMESTAMP) => TIMESTAMP"), 3, 3,
     NN, rs_timestampadd, NULL, fn_timestampadd},
    {"TIMESTAMPSUB", CAT, "Subtracts a duration from a TIMESTAMP value.",
     V("TIMESTAMPSUB(unit INTERVALUNIT, interval BIGINT, timestamp TIMESTAMP) => TIMESTAMP"), 3, 3,
     NN, rs_timestampsub, NULL, fn_timestampsub},
    {"TIMESTAMPTOSTRING", CAT,
     "Converts a BIGINT millisecond timestamp value into a string in the given format, in the "
     "given time zone (UTC when omitted).",
     V("TIMESTAMPTOSTRING(epochMilli BIGINT, formatPattern STRING) => STRING",
       "TIMESTAMPTOSTRING(epochMilli BIGINT, formatPattern STRING, timeZone STRING) => STRING"),
     2, 3, NN, rs_timestamptostring, NULL, fn_timestamptostring},
    {"TIMESUB", CAT, "Subtracts a duration from a TIME value, wrapping around midnight.",
     V("TIMESUB(unit INTERVALUNIT, interval INT, time TIME) => TIME"), 3, 3, NN, rs_timesub, NULL,
     fn_timesub},
    {"UNIX_DATE", CAT,
     "Without an argument: the current date as an INT number of days since epoch. With a DATE "
     "argument: that date as days since epoch.",
     V("UNIX_DATE() => INT", "UNIX_DATE(date DATE) => INT"), 0, 1,
     NN | WR_FN_NONDETERMINISTIC, rs_unix_date, NULL, fn_unix_date},
    {"UNIX_TIMESTAMP", CAT,
     "Without an argument: the current time as BIGINT milliseconds since epoch. With a "
     "TIMESTAMP argument: that timestamp as BIGINT milliseconds.",
     V("UNIX_TIMESTAMP() => BIGINT", "UNIX_TIMESTAMP(timestamp TIMESTAMP) => BIGINT"), 0, 1,
     NN | WR_FN_NONDETERMINISTIC, rs_unix_timestamp, NULL, fn_unix_timestamp},
    {0},
};
