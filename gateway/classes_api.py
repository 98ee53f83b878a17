"""Classes, their students (one by one or imported from a CSV or Excel list) and their shops; admins add staff."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from gateway import access, accounts, classes, student_import
from gateway.models import ClassMember, User
from gateway.schemas import (
    ClassDetailOut,
    ClassIn,
    ClassOut,
    GiveShopsIn,
    ImportOut,
    MemberIn,
    NewUserIn,
    ShopOut,
    StudentIn,
    StudentOut,
    UserOut,
)
from gateway.sessions import current_identity, instructors_only
from shoplab.errors import InvalidInput, NotFound
from shoplab.plumbing.web import db

classes_api = Blueprint("classes", __name__, url_prefix="/api/v1", description="Classes, students and staff")


@classes_api.route("/classes")
class Classes(MethodView):
    @classes_api.response(200, ClassOut(many=True))
    def get(self):
        """The classes you teach or sit in (admins: every class)."""
        with db().reading() as session:
            return session.scalars(access.classes_visible_to(current_identity())).all()

    @instructors_only
    @classes_api.arguments(ClassIn)
    @classes_api.response(201, ClassOut)
    def post(self, data):
        """Create a class (instructors); you teach it."""
        who = current_identity()
        access.require_instructor(who)
        with db().writing() as session:
            return accounts.create_classroom(session, data["name"], instructor=session.get(User, who.user_id))


@classes_api.route("/classes/<class_id>")
class ClassItem(MethodView):
    @instructors_only
    @classes_api.response(200, ClassDetailOut)
    def get(self, class_id: str):
        """The class with its instructors, students (team, shops) and shops."""
        with db().reading() as session:
            return classes.class_detail(session, _taught(session, class_id))


def _taught(session, class_id: str):
    """The class, for one who teaches it (the request's fence and ``instructors_only`` ran before)."""
    return access.taught_class(session, current_identity(), class_id)


@classes_api.route("/classes/<class_id>/students")
class ClassStudents(MethodView):
    @instructors_only
    @classes_api.arguments(StudentIn)
    @classes_api.response(201, StudentOut)
    def post(self, data, class_id: str):
        """Add one student (username = student number); the initial password is in the answer, once."""
        credentials = classes.hashed_initial_passwords(1)
        row = student_import.StudentRow(1, data["student_no"], data["name"], data["team"])
        with db().writing() as session:
            room = _taught(session, class_id)
            if accounts.username_taken(session, row.student_no):
                raise InvalidInput("the student number is taken", {"student_no": ["a user with it exists already"]})
            return classes.add_students(session, room, [row], credentials)[0]


@classes_api.route("/classes/<class_id>/students/import")
class ClassImport(MethodView):
    @instructors_only
    @classes_api.doc(
        requestBody={
            "content": {
                "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"format": "binary"}}}},
                "text/csv": {"schema": {"type": "string"}},
            },
            "description": "columns student_no (学号), name (姓名), optional team (小组); a header row first",
        }
    )
    @classes_api.response(201, ImportOut)
    @classes_api.alt_response(422, description="errors per row number (fields.rows); nothing imported")
    def post(self, class_id: str):
        """Import a class list from a CSV or Excel (.xlsx) file: all rows or none; initial passwords in the answer."""
        filename, content = _uploaded_file()
        rows = student_import.read_rows(filename, content)
        with db().reading() as session:
            _taught(session, class_id)
            numbers = [row.get("student_no", "") for row in rows]
            taken = set(session.scalars(select(User.username).where(User.username.in_(numbers))))
        students, errors = student_import.check_rows(rows, taken)
        if errors:
            raise InvalidInput(f"{len(errors)} rows have errors; nothing was imported", {"rows": errors})
        if not students:
            raise InvalidInput("the file lists no students", {"file": ["no rows under the header"]})
        credentials = classes.hashed_initial_passwords(len(students))
        with db().writing() as session:
            room = _taught(session, class_id)
            return {"created": classes.add_students(session, room, students, credentials)}


def _uploaded_file() -> tuple[str, bytes]:
    upload = request.files.get("file")
    if upload is not None:
        return upload.filename or "upload.csv", upload.read()
    if request.mimetype in ("text/csv", "text/plain"):
        return "upload.csv", request.get_data()
    if request.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        return "upload.xlsx", request.get_data()
    raise InvalidInput("send the list as a 'file' upload (.csv or .xlsx) or a text/csv body", {"file": ["required"]})


@classes_api.route("/classes/<class_id>/students/<user_id>/reset-password")
class StudentReset(MethodView):
    @instructors_only
    @classes_api.response(200, StudentOut)
    def post(self, class_id: str, user_id: str):
        """Reset a student's password: every sign-in of theirs ends; a new initial password, changed at next sign-in."""
        with db().writing() as session:
            room = _taught(session, class_id)
            member = session.get(ClassMember, (room.id, user_id))
            if member is None or member.role != "student":
                raise NotFound(f"no student {user_id} in this class", {"user_id": ["unknown student"]})
            user = session.get(User, user_id)
            password = accounts.reset_password(session, user)
            return classes.student_view(user, member.team, [], password)


@classes_api.route("/classes/<class_id>/shops")
class ClassShops(MethodView):
    @instructors_only
    @classes_api.arguments(GiveShopsIn)
    @classes_api.response(201, ShopOut(many=True))
    def post(self, data, class_id: str):
        """Give each student a shop (``individual``) or each team one shared shop (``team``) on a platform; the
        shops opened now are returned. Every student becomes an agent of their shop (``agent.joined``)."""
        who = current_identity()
        with db().writing() as session:
            room = _taught(session, class_id)
            return classes.give_shops(
                session, room, platform=data["platform"], mode=data["mode"], speed=data["speed"], by=who.user_id
            )


@classes_api.route("/users")
class Users(MethodView):
    @classes_api.arguments(NewUserIn)
    @classes_api.response(201, UserOut)
    def post(self, data):
        """Create an instructor or another admin (admins only)."""
        access.require_admin(current_identity())
        with db().writing() as session:
            return accounts.create_user(
                session,
                username=data["username"],
                password=data["password"],
                role=data["role"],
                display_name=data["display_name"],
            )


@classes_api.route("/classes/<class_id>/instructors")
class ClassInstructors(MethodView):
    @instructors_only
    @classes_api.arguments(MemberIn)
    @classes_api.response(201, UserOut)
    def post(self, data, class_id: str):
        """Add an instructor to the class (its instructors, or an admin): they reach its shops from then on."""
        with db().writing() as session:
            room = _taught(session, class_id)
            user = session.get(User, data["user_id"])
            if user is None or user.role != "instructor":
                raise InvalidInput("not an instructor", {"user_id": ["unknown instructor"]})
            accounts.join_class(session, room.id, user, "instructor")
            return user
