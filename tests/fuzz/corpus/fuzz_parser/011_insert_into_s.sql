INSERT INTO s (a, b) VALUES (1, 'x');
