SELECT a OR b AND NOT c = d FROM s;
