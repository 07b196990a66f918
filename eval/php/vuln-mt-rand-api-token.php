<?php
function createApiToken(int $userId): string
{
    $token = '';
    $chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
    for ($i = 0; $i < 32; $i++) {
        $token .= $chars[mt_rand(0, strlen($chars) - 1)];
    }
    storeToken($userId, $token);
    return $token;
}
