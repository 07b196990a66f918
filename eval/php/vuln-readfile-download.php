<?php
$dir = '/var/www/storage/invoices/';
$file = $_GET['file'];

header('Content-Type: application/pdf');
header('Content-Disposition: attachment; filename="' . basename($file) . '"');
readfile($dir . $_GET['file']);
