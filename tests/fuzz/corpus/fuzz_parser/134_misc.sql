SELECT (((((((a))))))) FROM s;
