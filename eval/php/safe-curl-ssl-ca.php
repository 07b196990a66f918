<?php
function fetchRates(): array
{
    $ch = curl_init('https://rates.partner.example/api/v2/latest');
    curl_setopt_array($ch, [
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_SSL_VERIFYPEER => true,
        CURLOPT_SSL_VERIFYHOST => 2,
        CURLOPT_CAINFO => '/etc/ssl/certs/partner-ca.pem',
    ]);
    $body = curl_exec($ch);
    curl_close($ch);
    return json_decode($body, true);
}
