SELECT a[1]->x FROM s;
