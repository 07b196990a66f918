<?php
// corgi-expect: php-dataflow-url-host
$tenant = $_GET['tenant'];
$url = "https://$tenant/api/status";
$status = file_get_contents($url);
echo json_encode(['up' => $status !== false]);
