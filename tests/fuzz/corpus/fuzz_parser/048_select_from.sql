SELECT * FROM s AS x INNER JOIN t y ON x.a = y.b RIGHT JOIN u ON u.c = x.a;
