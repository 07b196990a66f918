<?php
// corgi-expect: php-dataflow-callable-argument
$rows = load_products();
$sorter = $_GET['sort'];
usort($rows, $sorter);
render_products($rows);
