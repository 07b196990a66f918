<?php
// corgi-expect: php-ftp-cleartext
function uploadReport(string $file): bool
{
    $conn = ftp_connect(getenv('REPORT_HOST'));
    ftp_login($conn, getenv('REPORT_USER'), getenv('REPORT_PASSWORD'));
    $ok = ftp_put($conn, basename($file), $file, FTP_BINARY);
    ftp_close($conn);
    return $ok;
}
