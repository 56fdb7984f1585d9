"""Who may do what with a member's pages: named predicates, checked with ``has_perm``."""

import rules


@rules.predicate
def is_editor_of(user, member) -> bool:
    if member is None or not user.is_authenticated:
        return False
    return member.roles.filter(user=user).exists()


is_staff = rules.is_staff

rules.add_perm("members.edit_member_page", is_staff | is_editor_of)
rules.add_perm("members.hide_progress_update", is_staff)
