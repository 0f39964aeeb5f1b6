import { Navigate, Route, Routes } from 'react-router-dom';
import { ExamBoardPage, SeriesBoardPage } from './BoardPages';
import { ClassesPage } from './ClassesPage';
import { ExamBuilder } from './exam-builder/ExamBuilder';
import { ExamsPage } from './ExamsPage';
import { MonitorPage } from './MonitorPage';
import { QuestionEditor } from './QuestionEditor';
import { QuestionsPage } from './QuestionsPage';
import { ResultsPage } from './ResultsPage';
import { SeriesPage } from './SeriesPage';
import { StaffShell } from './StaffShell';
import { StudentsPage } from './StudentsPage';

/** The staff console, loaded on demand so students never download the editor. */
export default function StaffRoutes() {
  return (
    <Routes>
      <Route element={<StaffShell />}>
        <Route index element={<Navigate to="/admin/exams" replace />} />
        <Route path="exams" element={<ExamsPage />} />
        <Route path="exams/new" element={<ExamBuilder key="new" />} />
        <Route path="exams/:examId" element={<ExamBuilder />} />
        <Route path="exams/:examId/monitor" element={<MonitorPage />} />
        <Route path="exams/:examId/results" element={<ResultsPage />} />
        <Route path="exams/:examId/leaderboard" element={<ExamBoardPage />} />
        <Route path="series" element={<SeriesPage />} />
        <Route path="series/:seriesId" element={<SeriesBoardPage />} />
        <Route path="questions" element={<QuestionsPage />} />
        <Route path="questions/new" element={<QuestionEditor key="new" />} />
        <Route path="questions/:questionId" element={<QuestionEditor />} />
        <Route path="classes" element={<ClassesPage />} />
        <Route path="students" element={<StudentsPage />} />
        <Route path="*" element={<Navigate to="/admin/exams" replace />} />
      </Route>
    </Routes>
  );
}
