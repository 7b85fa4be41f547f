"""`{% load images %}` … `<img src="{{ some_url|local_image:'avatar' }}" alt="">`: any remote image URL as
papersift serves it (see images/links.py); pages never point the reader's browser at a third party."""

from django import template

from papersift.images.links import local_image_url

register = template.Library()


@register.filter
def local_image(url: str, kind: str = "thumbnail") -> str:
    return local_image_url(url or "", kind)
