SELECT s.`col` FROM s;
