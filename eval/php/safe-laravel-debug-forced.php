<?php
namespace App\Providers;

use Illuminate\Support\ServiceProvider;

class DiagnosticsServiceProvider extends ServiceProvider
{
    public function boot(): void
    {
        if (config('app.debug')) {
            logger()->warning('debug mode is on');
        }
    }
}
