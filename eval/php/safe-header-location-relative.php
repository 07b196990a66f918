<?php
session_start();
if (login($_POST['email'], $_POST['password'])) {
    $next = $_GET['next'] ?? '/account';
    if (!str_starts_with($next, '/') || str_starts_with($next, '//')) {
        $next = '/account';
    }
    header('Location: ' . $next);
    exit;
}
