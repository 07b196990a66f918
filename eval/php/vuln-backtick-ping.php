<?php
// corgi-expect: php-backtick-shell
$host = $_GET['host'];
$output = `ping -c 1 $host`;
echo '<pre>' . htmlspecialchars($output) . '</pre>';
