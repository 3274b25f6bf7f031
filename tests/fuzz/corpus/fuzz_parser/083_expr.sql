SELECT s->arr[2]->f FROM s;
