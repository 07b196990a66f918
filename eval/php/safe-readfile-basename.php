<?php
$dir = '/var/www/storage/invoices/';
$file = basename($_GET['file'] ?? '');

if (!preg_match('/^INV-\d{6}\.pdf$/', $file) || !is_file($dir . $file)) {
    http_response_code(404);
    exit;
}
header('Content-Type: application/pdf');
readfile($dir . $file);
