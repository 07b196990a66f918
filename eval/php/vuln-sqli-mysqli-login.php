<?php
require __DIR__ . '/bootstrap.php';

$username = $_POST['username'] ?? '';
$password = $_POST['password'] ?? '';

$result = mysqli_query($db, "SELECT id, password_hash FROM users WHERE username = '$username' LIMIT 1");
$user = mysqli_fetch_assoc($result);

if ($user && password_verify($password, $user['password_hash'])) {
    $_SESSION['uid'] = $user['id'];
    header('Location: /dashboard.php');
    exit;
}
echo 'Invalid login';
