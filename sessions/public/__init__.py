"""What readers see: pages, their selectors, filters, SEO data and sitemap sections."""
