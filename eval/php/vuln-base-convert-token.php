<?php
// corgi-expect: php-base-convert-token
function newInviteCode(): string
{
    return base_convert(bin2hex(random_bytes(16)), 16, 36);
}
