/*
 * fn_other.c - functions of ksqlDB's OTHER category: GEO_DISTANCE and AS_VALUE.
 *
 * AS_VALUE is the identity here; its meaning (copy a key column into the value) is given by
 * the analyzer, which sees the call in a projection.
 */
#include <math.h>

#include "fn_sig.h"
#include "func.h"

/* GEO_DISTANCE(lat1, lon1, lat2, lon2 [, unit]): four numbers, coerced to DOUBLE. */
static const wr_type *res_geo(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    for (int i = 0; i < 4 && i < argc; i++) {
        if (argt[i]->kind != WR_NULL && !wr_type_is_numeric(argt[i]))
            return wr_fn_bad_args(rc, "GEO_DISTANCE", argc, argt);
        if (argt[i]->kind != WR_DOUBLE)
            rc->coerce[i] = &wr_type_double;
    }
    if (argc == 5) {
        if (argt[4]->kind == WR_NULL)
            rc->coerce[4] = &wr_type_string;
        else if (argt[4]->kind != WR_STRING)
            return wr_fn_bad_args(rc, "GEO_DISTANCE", argc, argt);
    }
    return &wr_type_double;
}

/* Great-circle distance by the haversine formula, as ksqlDB computes it (same operation
 * order, radius 6371 km or 3959 miles). */
static int fn_geo(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    double lat1 = argv[0].u.d, lon1 = argv[1].u.d, lat2 = argv[2].u.d, lon2 = argv[3].u.d;
    double radius = 6371;
    if (argc == 5) {
        const wr_value *u = &argv[4];
        if ((u->len == 5 && wr_strncaseeq_n(u->u.s, u->len, "MILES")) ||
            (u->len == 2 && wr_strncaseeq_n(u->u.s, u->len, "MI")))
            radius = 3959;
        else if (!((u->len == 10 && wr_strncaseeq_n(u->u.s, u->len, "KILOMETERS")) ||
                   (u->len == 2 && wr_strncaseeq_n(u->u.s, u->len, "KM"))))
            return wr_error_set(ctx->err, WR_EDATA, "GeoDistance function units parameter must "
                                "be one of: MI, MILES, KM, KILOMETERS. Values are "
                                "case-insensitive.");
    }
    if (lat1 < -90 || lat1 > 90 || lat2 < -90 || lat2 > 90)
        return wr_error_set(ctx->err, WR_EDATA, "valid latitude values for GeoDistance "
                            "function are in the range of -90 to 90 decimal degrees");
    if (lon1 < -180 || lon1 > 180 || lon2 < -180 || lon2 > 180)
        return wr_error_set(ctx->err, WR_EDATA, "valid longitude values for GeoDistance "
                            "function are in the range of -180 to +180 decimal degrees");
    const double d2r = 0.017453292519943295; /* Java's Math.toRadians factor */
    double dlat = (lat2 - lat1) * d2r;
    double dlon = (lon2 - lon1) * d2r;
    double r1 = lat1 * d2r, r2 = lat2 * d2r;
    double a = pow(sin(dlat / 2), 2) + pow(sin(dlon / 2), 2) * cos(r1) * cos(r2);
    double c = 2 * asin(sqrt(a));
    *out = wr_double(radius * c);
    return 0;
}

static const wr_type *res_as_value(wr_fn_resolve_ctx *rc, int argc, const wr_type *const *argt)
{
    if (argt[0]->kind == WR_LAMBDA)
        return wr_fn_bad_args(rc, "AS_VALUE", argc, argt);
    return argt[0];
}

static int fn_as_value(wr_fn_ctx *ctx, int argc, const wr_value *argv, wr_value *out)
{
    *out = argv[0];
    return 0;
}

#define V(...) ((const char *const[]){__VA_ARGS__, NULL})

const wr_scalar_def wr_fns_other[] = {
    {"AS_VALUE", "OTHER",
     "Used exclusively in the projection of a query to copy a key column into the value.",
     V("AS_VALUE(keyColumn T) => T"), 1, 1, 0, res_as_value, NULL, fn_as_value},
    {"GEO_DISTANCE", "OTHER",
     "Compute the distance between two points on the surface of the earth, according to the "
     "Haversine formula for \"great circle distance\". The 5th (optional) parameter is the "
     "unit of measure: 'KM' (kilometers, the default) or 'MILES'.",
     V("GEO_DISTANCE(lat1 DOUBLE, lon1 DOUBLE, lat2 DOUBLE, lon2 DOUBLE) => DOUBLE",
       "GEO_DISTANCE(lat1 DOUBLE, lon1 DOUBLE, lat2 DOUBLE, lon2 DOUBLE, units STRING) => "
       "DOUBLE"),
     4, 5, WR_FN_NULL_IN_NULL_OUT, res_geo, NULL, fn_geo},
    {0},
};
