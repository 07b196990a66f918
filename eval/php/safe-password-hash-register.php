<?php
function registerUser(PDO $pdo, string $email, string $password): void
{
    $hash = password_hash($password, PASSWORD_DEFAULT);
    $stmt = $pdo->prepare('INSERT INTO users (email, password) VALUES (?, ?)');
    $stmt->execute([$email, $hash]);
}

function avatarCacheKey(string $email): string
{
    return 'avatar_' . md5(strtolower(trim($email)));
}
