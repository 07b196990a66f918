package com.example.search;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.servlet.http.HttpServletRequest;

public class NameSearch {
    List<String> filter(HttpServletRequest request, List<String> names) {
        Pattern pattern = Pattern.compile(Pattern.quote(request.getParameter("q")), Pattern.CASE_INSENSITIVE);
        return names.stream().filter(n -> pattern.matcher(n).find()).collect(Collectors.toList());
    }
}
