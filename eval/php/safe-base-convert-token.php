<?php
function newInviteCode(): string
{
    return rtrim(strtr(base64_encode(random_bytes(16)), '+/', '-_'), '=');
}

function permissions(string $octal): int
{
    return (int) base_convert($octal, 8, 10);
}
