/*
 * fuzz_serde.c - libFuzzer target for the record decoders: arbitrary bytes as a JSON,
 * DELIMITED and KAFKA key/value against a schema with every column type.  A malformed record
 * must yield WR_EDATA, never a crash, a leak or undefined behaviour; what does decode must
 * encode again.
 *
 * The first input byte picks the format and options, the rest is the record.
 */
#include <stdint.h>
#include <string.h>

#include "base.h"
#include "serde.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    unsigned sel = data[0];
    const char *rec = (const char *)data + 1;
    size_t len = size - 1;

    wr_arena a;
    wr_arena_init(&a, 4096);
    wr_field inner_f[2] = {{"X", &wr_type_int}, {"Y", &wr_type_string}};
    const wr_type *st = wr_type_struct(&a, 2, inner_f);
    const wr_type *arr = wr_type_array(&a, &wr_type_double);
    const wr_type *map = wr_type_map(&a, &wr_type_string, &wr_type_bigint);
    const wr_type *dec = wr_type_decimal(&a, 10, 3);
    const wr_column all[] = {
        {"B", &wr_type_boolean, WR_COL_VALUE, NULL}, {"I", &wr_type_int, WR_COL_VALUE, NULL},
        {"L", &wr_type_bigint, WR_COL_VALUE, NULL},  {"D", &wr_type_double, WR_COL_VALUE, NULL},
        {"M", dec, WR_COL_VALUE, NULL},               {"S", &wr_type_string, WR_COL_VALUE, NULL},
        {"Y", &wr_type_bytes, WR_COL_VALUE, NULL},    {"T", &wr_type_timestamp, WR_COL_VALUE, NULL},
        {"DT", &wr_type_date, WR_COL_VALUE, NULL},    {"TM", &wr_type_time, WR_COL_VALUE, NULL},
        {"A", arr, WR_COL_VALUE, NULL},               {"MP", map, WR_COL_VALUE, NULL},
        {"ST", st, WR_COL_VALUE, NULL},
    };
    const int nscalar = 10, nall = (int)(sizeof all / sizeof all[0]);

    wr_format f = {0};
    int is_key = (sel >> 3) & 1;
    const wr_column *cols = all;
    int ncols;
    switch (sel & 7) {
    case 0: case 1: f.kind = WR_FMT_JSON; ncols = nall; break;
    case 2: f.kind = WR_FMT_JSON; ncols = 1; cols = &all[(sel >> 4) % nall]; break;
    case 3: f.kind = WR_FMT_DELIMITED; f.delim = ','; ncols = nscalar; break;
    case 4: f.kind = WR_FMT_DELIMITED; f.delim = '\t'; ncols = 3; break;
    case 5: f.kind = WR_FMT_KAFKA; ncols = 1; cols = &all[1 + (sel >> 4) % 5]; break;
    default: f.kind = WR_FMT_JSON; ncols = 2; cols = &all[(sel >> 4) % (nall - 1)]; break;
    }
    f.wrap_single = (sel >> 7) & 1 ? 0 : 1;

    wr_error err;
    wr_error_clear(&err);
    if (wr_serde_check(&f, is_key, cols, ncols, &err) == 0) {
        wr_value vals[16];
        memset(vals, 0, sizeof vals);
        uint8_t need[16];
        for (int i = 0; i < ncols; i++) need[i] = (uint8_t)((sel + (unsigned)i) % 3 != 0);
        if (wr_serde_decode(&f, is_key, cols, ncols, (sel & 0x40) ? need : NULL, rec, len, vals,
                            &a, &err) == 0) {
            wr_buf out;
            wr_buf_init(&out);
            wr_serde_encode(&f, is_key, cols, ncols, vals, &out, &err);
            wr_buf_fini(&out);
        }
    }
    wr_arena_fini(&a);
    return 0;
}
