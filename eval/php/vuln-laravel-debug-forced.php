<?php
// corgi-expect: php-laravel-debug-enabled
namespace App\Providers;

use Illuminate\Support\ServiceProvider;

class DiagnosticsServiceProvider extends ServiceProvider
{
    public function boot(): void
    {
        config(['app.debug' => true]);
    }
}
