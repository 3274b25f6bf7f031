DEFINE foo = 'bar';
