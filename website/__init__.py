"""The site as a whole: the pages that belong to neither books nor articles (home,
search over both, about, robots.txt, the sitemap), the project-wide middleware and
template context, and system checks about the whole site."""
