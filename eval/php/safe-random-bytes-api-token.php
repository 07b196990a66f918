<?php
function createApiToken(int $userId): string
{
    $token = bin2hex(random_bytes(32));
    storeToken($userId, hash('sha256', $token));
    return $token;
}

function pickBanner(array $banners): string
{
    return $banners[array_rand($banners)];
}
