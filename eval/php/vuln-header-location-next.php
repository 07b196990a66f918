<?php
session_start();
if (login($_POST['email'], $_POST['password'])) {
    $next = $_GET['next'] ?? '/account';
    header('Location: ' . $_GET['next']);
    exit;
}
