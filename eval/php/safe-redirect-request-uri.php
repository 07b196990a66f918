<?php
session_start();

if (empty($_SESSION['user_id'])) {
    $_SESSION['after_login'] = $_SERVER['REQUEST_URI'];
    header('Location: /login');
    exit;
}

if (!empty($_GET['refresh'])) {
    header('Location: https://shop.example.com' . $_SERVER['REQUEST_URI']);
    exit;
}
