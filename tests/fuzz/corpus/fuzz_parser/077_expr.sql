SELECT CAST(e AS my_type) FROM s;
