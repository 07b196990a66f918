<?php
if (($_GET['page'] ?? '') === 'diagnostics') {
    header('Content-Type: application/json');
    echo json_encode(['php' => PHP_VERSION, 'status' => 'ok']);
    exit;
}
