<?php
$tenant = $_GET['tenant'];
$url = 'https://status.example.com/tenants/' . rawurlencode($tenant);
$status = file_get_contents($url);
echo json_encode(['up' => $status !== false]);
