SELECT a FROM s WHERE b = ${var};;
