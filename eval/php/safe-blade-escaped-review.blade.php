@extends('layouts.app')

@section('content')
  <div class="review">
    <h2>{{ $review->title }}</h2>
    <div class="review-body">{{ $review->body }}</div>
    <p class="author">{{ $review->author->name }}</p>
    <form method="POST" action="/reviews/{{ $review->id }}/flag">
      @csrf
      <button type="submit">Report</button>
    </form>
  </div>
@endsection
