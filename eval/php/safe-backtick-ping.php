<?php
$host = $_GET['host'];
if (!filter_var($host, FILTER_VALIDATE_IP)) {
    http_response_code(400);
    exit;
}
$output = shell_exec('ping -c 1 ' . escapeshellarg($host));
echo '<pre>' . htmlspecialchars($output) . '</pre>';
