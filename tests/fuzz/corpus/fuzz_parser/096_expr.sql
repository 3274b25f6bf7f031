SELECT f(`hours`) FROM s;
