SELECT STRUCT(x := 1, `y` := 'a') FROM s;
