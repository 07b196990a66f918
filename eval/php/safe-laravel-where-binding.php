<?php
namespace App\Http\Controllers;

use App\Models\Ticket;
use Illuminate\Http\Request;

class TicketController extends Controller
{
    public function index(Request $request)
    {
        $tickets = Ticket::whereRaw('status = ?', [$request->input('status')])
            ->orderBy('created_at', 'desc')
            ->paginate(25);
        return view('tickets.index', compact('tickets'));
    }
}
