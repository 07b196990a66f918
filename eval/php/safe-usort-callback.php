<?php
const SORTERS = ['name' => 'compare_by_name', 'price' => 'compare_by_price'];

$rows = load_products();
$sorter = SORTERS[$_GET['sort']] ?? 'compare_by_name';
usort($rows, $sorter);
render_products($rows);
